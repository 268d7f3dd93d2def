import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from '../../agent/src/test-support/xvfb';
import { buildAgentBundle, customerHome, fakeSudoDir } from '../agent/support/agent-env';
import { startPortal, type RunningPortal } from '../agent/support/portal';
import { buildNodeMirror, serveDirectory } from '../agent/support/node-mirror';
import { ScriptRun } from '../agent/support/script-run';
import { Client } from 'pg';
import { RELAXED_LIMITS_ENV, USER_AGENTS, makeSupportSession } from '../support/quick-support-factories';
import { createTestDatabase } from '../support/test-db';

jest.setTimeout(180_000);

/** `ExecStart=` of a unit file, split like systemd splits double-quoted words. */
function execStart(unit: string): string[] {
  const line = /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '';
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/** Every folder from / down to `path`, and the file: [path, owner, mode]. */
function pathChain(path: string): Array<{ path: string; uid: number; mode: number }> {
  const out = [];
  for (let p = path; ; p = dirname(p)) {
    const s = statSync(p);
    out.unshift({ path: p, uid: s.uid, mode: s.mode & 0o7777 });
    if (dirname(p) === p) return out;
  }
}

const nobodyUid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());

/**
 * Issue 10, item 6: the persistent install used to write whatever `node` came first on PATH into the
 * root service's ExecStart, so the owner of that file became root at the next boot; and the install
 * script itself ran that node as root (install and every quick session). The install script is run
 * for real (the admin's one-line command, or the quick-support command) with a nobody-owned `node`
 * first on PATH; the portal's Node mirror is a loopback one serving the project's own Node 24.
 */
describe('install scripts: root runs only a root-owned or the downloaded, checksummed Node runtime', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'qs-sec-runtime-'));
  let db: { url: string; drop: () => Promise<void> };
  let portal: RunningPortal;
  let mirror: Awaited<ReturnType<typeof serveDirectory>>;
  let mirrorVersion: string;
  let userNode: string;
  /** Created by the nobody-owned node each time it runs (it then behaves like the real node). */
  let userNodeRan: string;

  beforeAll(async () => {
    if (typeof process.getuid !== 'function' || process.getuid() !== 0)
      throw new Error('This suite runs the installer as root (as sudo would).');
    const bundle = buildAgentBundle(scratch);
    mirrorVersion = buildNodeMirror(join(scratch, 'mirror')).version;
    mirror = await serveDirectory(join(scratch, 'mirror'));
    db = await createTestDatabase();
    portal = await startPortal({
      databaseUrl: db.url,
      dataDir: join(scratch, 'data'),
      port: await freePort(),
      env: { ...RELAXED_LIMITS_ENV, AGENT_BUNDLE_PATH: bundle, AGENT_NODE_MIRROR_URL: `${mirror.url}/good` },
    });
    // A working node that an unprivileged user owns (and so could replace at any time); it leaves a
    // mark whenever it runs.
    const bin = join(scratch, 'nobody-bin');
    mkdirSync(bin);
    userNode = join(bin, 'node');
    userNodeRan = join(scratch, 'nobody-node-ran');
    copyFileSync(process.execPath, join(bin, 'real-node'));
    writeFileSync(userNode, `#!/bin/sh\ntouch '${userNodeRan}'\nexec '${join(bin, 'real-node')}' "$@"\n`);
    chmodSync(userNode, 0o755);
    for (const f of [bin, userNode, join(bin, 'real-node')]) chownSync(f, nobodyUid, nobodyUid);
  });

  afterAll(async () => {
    await portal?.close();
    await mirror?.close();
    await db?.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Runs the admin's install command with the nobody-owned node first on PATH. */
  async function install(
    prefix: string,
    name: string,
  ): Promise<{ run: ScriptRun & { command: string }; code: number | null }> {
    const admin = await portal.login();
    const created = await admin.post('/api/installers').send({ os: 'linux' });
    expect(created.status).toBe(201);
    const home = customerHome(scratch, name);
    const env = {
      ...process.env,
      PATH: `${dirname(userNode)}:${fakeSudoDir(scratch)}:${process.env.PATH ?? ''}`,
      HOME: home.home,
      TMPDIR: home.tmp,
      QS_INSTALL_PREFIX: prefix,
    };
    const command = created.body.command as string;
    const run = Object.assign(new ScriptRun(['-c', command], env, home.home), { command });
    const { code } = await run.exited;
    return { run, code };
  }

  /** The one-shot installer token's row, by the token inside the one-line command. */
  async function tokenRow(command: string): Promise<{ used_at: Date | null; device_id: string | null }> {
    const token = /Bearer ([A-Za-z0-9_-]+)/.exec(command)?.[1] ?? '';
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const hash = createHash('sha256').update(token, 'utf8').digest('hex');
      const { rows } = await client.query(
        'SELECT used_at, device_id FROM installer_tokens WHERE token_hash = $1',
        [hash],
      );
      expect(rows).toHaveLength(1);
      return rows[0];
    } finally {
      await client.end();
    }
  }

  it('a nobody-owned node first on PATH is never run: the service runs the downloaded runtime, root-owned, inside the install folder', async () => {
    const prefix = join(scratch, 'root');
    rmSync(userNodeRan, { force: true });
    const before = mirror.requests.length;
    const { run, code } = await install(prefix, 'admin');
    expect({ code, output: run.output }).toEqual({
      code: 0,
      output: expect.stringContaining('agent is installed'),
    });
    expect(run.stdout).toContain(`Not using ${userNode}: someone other than root could change it.`);
    expect(run.stdout).toContain('downloading a private Node.js runtime');
    expect(mirror.requests.slice(before)).toEqual([
      '/good/latest-v24.x/SHASUMS256.txt',
      expect.stringMatching(/^\/good\/latest-v24\.x\/node-v24\.[\d.]+-linux-x64\.tar\.gz$/),
    ]);
    expect(existsSync(userNodeRan)).toBe(false);

    const appDir = join(prefix, 'opt/quicksupport-agent');
    const [node, agent] = execStart(
      readFileSync(join(prefix, 'etc/systemd/system/quicksupport-agent.service'), 'utf8'),
    );
    expect(node).not.toBe(userNode);
    expect(node.startsWith(`${appDir}/`)).toBe(true);
    expect(agent).toBe(join(appDir, 'agent.js'));
    // The runtime and every folder above it: owned by root, not writable by group or others
    // (a root-owned sticky folder such as /tmp is the one allowed exception).
    for (const entry of pathChain(node)) {
      const sticky = (entry.mode & 0o1000) !== 0 && statSync(entry.path).isDirectory();
      expect({ ...entry, writableByOthers: (entry.mode & 0o022) !== 0 && !sticky }).toEqual({
        ...entry,
        uid: 0,
        writableByOthers: false,
      });
    }
    expect(spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim()).toBe(
      mirrorVersion,
    );
    expect(readFileSync(join(appDir, 'uninstall'), 'utf8')).toContain(`exec "${node}" "${agent}" uninstall`);
  });

  it('refuses, in one clear sentence and before registering, when a folder on the runtime’s path is writable by others', async () => {
    const loose = join(scratch, 'shared-folder');
    mkdirSync(loose);
    chmodSync(loose, 0o777); // world-writable, no sticky bit: anyone could rename what lies inside
    const prefix = join(loose, 'root');
    const { run, code } = await install(prefix, 'admin-loose');
    expect({ code, stdout: run.stdout }).toEqual({
      code: 1,
      stdout: expect.not.stringContaining('agent is installed'),
    });
    expect(run.stderr).toContain(`but ${loose} is writable by every user`);
    expect(run.stderr).toMatch(/must be owned by root and not writable by group or others/);
    expect(existsSync(join(prefix, 'etc/systemd/system/quicksupport-agent.service'))).toBe(false);
    expect(existsSync(join(prefix, 'opt/quicksupport-agent'))).toBe(false);
    // The one-shot installer token was not spent on a refused install.
    expect(await tokenRow(run.command)).toEqual({ used_at: null, device_id: null });
  });

  it('a quick session with a nobody-owned TMPDIR and node: neither is used (work files go to /tmp, the runtime is downloaded)', async () => {
    rmSync(userNodeRan, { force: true });
    const tech = await portal.login();
    const session = await makeSupportSession(tech);
    const res = await fetch(`${portal.baseUrl}${session.path}/download/linux`, {
      headers: { 'user-agent': USER_AGENTS.linux },
    });
    const customer = customerHome(scratch, 'customer');
    chownSync(customer.tmp, nobodyUid, nobodyUid); // sudo kept the user's own TMPDIR
    writeFileSync(join(customer.downloads, 'kwgroup-quicksupport.sh'), await res.text());
    const run = new ScriptRun(
      ['-c', 'sudo bash ~/Downloads/kwgroup-quicksupport.sh'],
      {
        ...process.env,
        PATH: `${dirname(userNode)}:${fakeSudoDir(scratch)}:${process.env.PATH ?? ''}`,
        HOME: customer.home,
        TMPDIR: customer.tmp,
      },
      customer.home,
    );
    try {
      await run.waitFor(/Connected\. Waiting for a technician/, 90_000);
      expect(run.stdout).toContain('downloading a private Node.js runtime');
      expect(readdirSync(customer.tmp)).toEqual([]);
      expect(existsSync(userNodeRan)).toBe(false);
      await tech.post(`/api/quick-support/sessions/${session.id}/end`).send({});
      await expect(run.exited).resolves.toEqual({ code: 0, signal: null });
    } finally {
      run.kill('SIGKILL');
    }
  });
});
