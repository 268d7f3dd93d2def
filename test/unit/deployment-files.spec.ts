import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * No Docker engine runs here, so the images and the compose file are kept correct by construction:
 * these checks read them the way Docker would and compare them with the project.
 */
const root = join(__dirname, '../..');
const read = (f: string) => readFileSync(join(root, f), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  scripts: Record<string, string>;
  engines: { node: string };
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

  it('only runs npm scripts that exist', () => {
    const runs = st.flatMap((s) => instr(s, 'RUN')).join(' ');
    const used = [...runs.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const script of used) expect(pkg.scripts[script]).toBeDefined();
  });

  it('copies only paths that exist in the repository', () => {
    const copies = st[0].lines.filter((l) => /^COPY (?!--from)/.test(l));
    for (const c of copies) {
      const parts = c.split(/\s+/).slice(1, -1);
      for (const p of parts) if (p !== '.') expect(existsSync(join(root, p))).toBe(true);
    }
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as {
    services: Record<
      string,
      {
        build?: { dockerfile: string };
        labels?: Record<string, string>;
        environment?: Record<string, string>;
        expose?: string[];
      }
    >;
  };
  const envExample = read('.env.example');

  it('has PostgreSQL, the portal and the relay', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['portal', 'postgres', 'relay']);
    expect(compose.services.portal.build!.dockerfile).toBe('Dockerfile');
    expect(compose.services.relay.build!.dockerfile).toBe('Dockerfile.relay');
  });

  it.each([
    ['portal', 'portal', 3000],
    ['relay', 'relay', 3001],
  ])('routes %s.<domain> to the %s service on its port', (service, host, port) => {
    const s = compose.services[service];
    const labels = s.labels!;
    expect(labels['traefik.enable']).toBe('true');
    expect(labels[`traefik.http.routers.${service}.rule`]).toBe(`Host(\`${host}.\${DOMAIN}\`)`);
    expect(labels[`traefik.http.services.${service}.loadbalancer.server.port`]).toBe(String(port));
    expect(s.expose).toContain(String(port));
  });

  it('gives the portal a real database and the relay the portal events URL', () => {
    expect(compose.services.portal.environment!.DATABASE_URL).toMatch(/^postgres:\/\/.+@postgres:5432\//);
    expect(compose.services.portal.environment!.NODE_ENV).toBe('production');
    expect(compose.services.relay.environment!.RELAY_EVENTS_URL).toBe('http://portal:3000/api/relay/events');
  });

  it('uses only variables that .env.example documents (or compose-only ones)', () => {
    const composeOnly = new Set(['DOMAIN', 'POSTGRES_PASSWORD']);
    for (const service of Object.values(compose.services)) {
      for (const name of Object.keys(service.environment ?? {})) {
        if (name.startsWith('POSTGRES_')) continue;
        expect([name, envExample.includes(`\n${name}=`) || composeOnly.has(name)]).toEqual([name, true]);
      }
    }
  });
});
