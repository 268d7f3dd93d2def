import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { AgentControlError } from '../../src/agent-control/agent-control.errors';
import { AgentControlService } from '../../src/agent-control/agent-control.service';
import { freePort } from '../../agent/src/test-support/xvfb';
import { RELAXED_LIMITS_ENV } from '../support/quick-support-factories';
import { createTestDatabase } from '../support/test-db';
import { buildAgentBundle, customerHome, fakeSudoDir } from './support/agent-env';
import { startPortal, type RunningPortal } from './support/portal';
import { ScriptRun, eventually } from './support/script-run';

jest.setTimeout(120_000);

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

/** `ExecStart=` of a unit file, split like systemd splits double-quoted words. */
function execStart(unit: string): string[] {
  const line = /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '';
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/**
 * Persistent mode: the admin's one-line install command (Admin → Agent installers), run for real into
 * a prefix; the installed service command connects with the stored credential (no new registration);
 * the administrator's kill switch refuses mutating actions while status still answers; uninstall
 * removes every file.
 */
describe('persistent agent (Linux, installed into a prefix)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'qs-agent-persistent-'));
  const prefix = join(scratch, 'root');
  let db: { url: string; drop: () => Promise<void> };
  let portal: RunningPortal;

  beforeAll(async () => {
    const bundle = buildAgentBundle(scratch);
    db = await createTestDatabase();
    portal = await startPortal({
      databaseUrl: db.url,
      dataDir: join(scratch, 'data'),
      port: await freePort(),
      env: { ...RELAXED_LIMITS_ENV, AGENT_BUNDLE_PATH: bundle },
    });
  });

  afterAll(async () => {
    await portal?.close();
    await db?.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('installs, runs as a service would, honours the kill switch, and uninstalls completely', async () => {
    const admin = await portal.login();
    const created = await admin.post('/api/installers').send({ os: 'linux' });
    expect(created.status).toBe(201);
    const admin_ = customerHome(scratch, 'admin');
    const env = {
      ...process.env,
      PATH: `${fakeSudoDir(scratch)}:${process.env.PATH ?? ''}`,
      HOME: admin_.home,
      TMPDIR: admin_.tmp,
      QS_INSTALL_PREFIX: prefix,
    };
    const install = new ScriptRun(['-c', created.body.command as string], env, admin_.home);
    await expect(install.exited).resolves.toEqual({ code: 0, signal: null });
    expect(install.stdout).toContain('agent is installed');
    expect(readdirSync(admin_.tmp)).toEqual([]);

    const files = filesUnder(prefix);
    expect(files).toEqual([
      'etc/quicksupport-agent/agent.json',
      'etc/quicksupport-agent/credential.json',
      'etc/systemd/system/quicksupport-agent.service',
      'opt/quicksupport-agent/agent.js',
      'opt/quicksupport-agent/node/bin/node', // the service's own copy of the runtime (never a PATH node)
      'opt/quicksupport-agent/uninstall',
    ]);
    expect(statSync(join(prefix, 'etc/quicksupport-agent/credential.json')).mode & 0o777).toBe(0o600);
    const devices = async () =>
      (await admin.get('/api/devices')).body.items as Array<{ id: string; kind: string; online: boolean }>;
    const [device] = await devices();
    expect(device).toMatchObject({ kind: 'persistent', online: false });

    const [node, ...args] = execStart(
      readFileSync(join(prefix, 'etc/systemd/system/quicksupport-agent.service'), 'utf8'),
    );
    const service = spawn(node, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    service.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise((resolve) =>
      service.once('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      const control = portal.app.get(AgentControlService);
      await eventually(() => control.isConnected(device.id), 'the service to connect');
      expect(control.presence(device.id)).toMatchObject({ mode: 'persistent', killSwitch: false });
      expect(await devices()).toEqual([expect.objectContaining({ id: device.id, online: true })]);

      // The administrator turns the kill switch on in agent.json; no restart needed.
      const configFile = join(prefix, 'etc/quicksupport-agent/agent.json');
      writeFileSync(
        configFile,
        JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), killSwitch: true }),
      );
      await eventually(() => control.presence(device.id)?.killSwitch, 'the kill switch report', 15_000);
      await expect(control.status(device.id)).resolves.toMatchObject({
        type: 'agent_status',
        killSwitch: true,
      });
      const refused = await control
        .runCommand(device.id, { command: 'echo should-not-run' })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(AgentControlError);
      expect(refused).toMatchObject({ agentCode: 'kill_switch', status: 403 });
      const channel = await control
        .openChannel(device.id, {
          sessionId: 's-1',
          channel: 'shell',
          relayUrl: 'ws://127.0.0.1:9',
          token: 'a.b.c',
        })
        .catch((e: unknown) => e);
      expect(channel).toMatchObject({ agentCode: 'kill_switch' });
    } finally {
      service.kill('SIGTERM');
    }
    await expect(exited).resolves.toEqual({ code: 0, signal: null });
    expect(log).toContain('ending (shutdown)');
    expect(filesUnder(prefix)).toHaveLength(6); // a persistent agent keeps its files when stopped

    const uninstall = new ScriptRun([join(prefix, 'opt/quicksupport-agent/uninstall')], env, admin_.home);
    // The uninstall script is `#!/bin/sh`; running it through bash is equivalent.
    await expect(uninstall.exited).resolves.toEqual({ code: 0, signal: null });
    expect(uninstall.stdout).toContain('removed');
    expect(filesUnder(prefix)).toEqual([]);
  });
});
