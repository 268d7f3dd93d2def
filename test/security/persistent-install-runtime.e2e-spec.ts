import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from '../../agent/src/test-support/xvfb';
import { buildAgentBundle, customerHome, fakeSudoDir } from '../agent/support/agent-env';
import { startPortal, type RunningPortal } from '../agent/support/portal';
import { ScriptRun } from '../agent/support/script-run';
import { RELAXED_LIMITS_ENV } from '../support/quick-support-factories';
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
 * root service's ExecStart, so the owner of that file became root at the next boot. The install script
 * is run for real (the admin's one-line command) into a scratch root prefix.
 */
describe('persistent install: the root service runs only a root-owned Node runtime', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'qs-sec-runtime-'));
  let db: { url: string; drop: () => Promise<void> };
  let portal: RunningPortal;
  let userNode: string;

  beforeAll(async () => {
    if (typeof process.getuid !== 'function' || process.getuid() !== 0)
      throw new Error('This suite runs the installer as root (as sudo would).');
    const bundle = buildAgentBundle(scratch);
    db = await createTestDatabase();
    portal = await startPortal({
      databaseUrl: db.url,
      dataDir: join(scratch, 'data'),
      port: await freePort(),
      env: { ...RELAXED_LIMITS_ENV, AGENT_BUNDLE_PATH: bundle },
    });
    // A working node that an unprivileged user owns (and so could replace at any time).
    const bin = join(scratch, 'nobody-bin');
    mkdirSync(bin);
    userNode = join(bin, 'node');
    copyFileSync(process.execPath, userNode);
    chmodSync(userNode, 0o755);
    chownSync(bin, nobodyUid, nobodyUid);
    chownSync(userNode, nobodyUid, nobodyUid);
  });

  afterAll(async () => {
    await portal?.close();
    await db?.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Runs the admin's install command with the nobody-owned node first on PATH. */
  async function install(prefix: string, name: string): Promise<{ run: ScriptRun; code: number | null }> {
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
    const run = new ScriptRun(['-c', created.body.command as string], env, home.home);
    const { code } = await run.exited;
    return { run, code };
  }

  it('a nobody-owned node first on PATH does not become ExecStart: the service runs a root-owned copy inside the install folder', async () => {
    const prefix = join(scratch, 'root');
    const { run, code } = await install(prefix, 'admin');
    expect({ code, output: run.output }).toEqual({
      code: 0,
      output: expect.stringContaining('agent is installed'),
    });

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
      process.versions.node,
    );
    expect(readFileSync(join(appDir, 'uninstall'), 'utf8')).toContain(`exec "${node}" "${agent}" uninstall`);
  });

  it('refuses, in one clear sentence and before registering, when a folder on the runtime’s path is writable by others', async () => {
    const loose = join(scratch, 'shared-folder');
    mkdirSync(loose);
    chmodSync(loose, 0o777); // world-writable, no sticky bit: anyone could rename what lies inside
    const prefix = join(loose, 'root');
    // The one-line command ends with `; rm -f "$f"`, so its exit code is rm's: judge by the output.
    const { run } = await install(prefix, 'admin-loose');
    expect(run.stdout).not.toContain('agent is installed');
    expect(run.stderr).toContain(`but ${loose} is writable by every user`);
    expect(run.stderr).toMatch(/must be owned by root and not writable by group or others/);
    expect(existsSync(join(prefix, 'etc/systemd/system/quicksupport-agent.service'))).toBe(false);
    expect(existsSync(join(prefix, 'opt/quicksupport-agent'))).toBe(false);
    // The one-shot installer token was not spent on a refused install.
    const admin = await portal.login();
    const devices = (await admin.get('/api/devices')).body.items as unknown[];
    expect(devices).toHaveLength(1);
  });
});
