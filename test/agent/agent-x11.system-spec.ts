import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import type TestAgent from 'supertest/lib/agent';
import { AgentControlService } from '../../src/agent-control/agent-control.service';
import { quickRunCommand } from '../../src/installers/install-commands';
import { freePort, hasBinary, startX11vnc, startXvfb } from '../../agent/src/test-support/xvfb';
import type { RelayServer } from '../../relay/relay-server';
import { closed, mint, openClient, subjectFor, withRelay } from '../relay/support/relay-harness';
import {
  RELAXED_LIMITS_ENV,
  USER_AGENTS,
  makeSupportSession,
  type MadeSession,
} from '../support/quick-support-factories';
import { createTestDatabase } from '../support/test-db';
import { buildAgentBundle, customerHome, fakeSudoDir } from './support/agent-env';
import { startPortal, type RunningPortal } from './support/portal';
import { rfbHandshake } from './support/rfb-client';
import { ScriptRun, eventually } from './support/script-run';

jest.setTimeout(120_000);

/** This suite needs a real X server and VNC server; without them it fails and says what to install. */
const MISSING_X = ['Xvfb', 'x11vnc'].filter((b) => !hasBinary(b));

/**
 * The served Linux install script, run for real (the connect page's exact command) against a running
 * portal and relay: registration, control channel, shell and screen through the relay, commands, a
 * portal restart, and the end of the session removing every file. The script runs in a real terminal
 * (a PTY), where the customer answers each consent question with a key.
 */
describe('agent end to end (Linux script, real portal, relay, x11vnc)', () => {
  /** The portal on the same database, data folder and port (where the agent expects it). */
  const bootPortal = (): Promise<RunningPortal> =>
    startPortal({ databaseUrl: db.url, dataDir: join(scratch, 'data'), port: portalPort, env: portalEnv });

  beforeAll(() => {
    if (MISSING_X.length)
      throw new Error(`Install ${MISSING_X.join(', ')} first (apt-get install xvfb x11vnc); .ci/run does.`);
  });
  const scratch = mkdtempSync(join(tmpdir(), 'qs-agent-e2e-'));
  const customer = customerHome(scratch, 'customer');
  let db: { url: string; drop: () => Promise<void> };
  let relay: RelayServer;
  let portal: RunningPortal;
  let portalPort: number;
  let portalEnv: Record<string, string>;
  let tech: TestAgent;
  let session: MadeSession;
  let run: ScriptRun;
  let deviceId: string;
  let stopX: Array<() => Promise<void>> = [];
  let vncPort: number;

  const control = (): AgentControlService => portal.app.get(AgentControlService);
  const relayWs = (): string => relay.url.replace(/^http/, 'ws');
  const devices = async (): Promise<
    Array<{ id: string; online: boolean; supportSessionId: string | null }>
  > => (await tech.get('/api/devices')).body.items;

  beforeAll(async () => {
    const bundle = buildAgentBundle(scratch);
    db = await createTestDatabase();
    relay = await withRelay();
    const xvfb = await startXvfb();
    const vnc = await startX11vnc(xvfb.display);
    stopX = [vnc.stop, xvfb.stop];
    vncPort = vnc.port;
    portalPort = await freePort();
    portalEnv = { ...RELAXED_LIMITS_ENV, AGENT_BUNDLE_PATH: bundle };
    portal = await bootPortal();
    tech = await portal.login();
  });

  afterAll(async () => {
    run?.kill('SIGKILL');
    await portal?.close();
    await relay?.close();
    for (const stop of stopX) await stop();
    await db?.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('the downloaded script, started by the connect page command, registers the device and opens the control channel', async () => {
    session = await makeSupportSession(tech, { customerName: 'E2E customer' });
    const download = await fetch(`${portal.baseUrl}${session.path}/download/linux`, {
      headers: { 'user-agent': USER_AGENTS.linux },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toContain('kwgroup-quicksupport.sh');
    writeFileSync(join(customer.downloads, 'kwgroup-quicksupport.sh'), await download.text());
    const command = quickRunCommand('kwgroup-quicksupport', 'linux');
    expect(command).toBe('sudo bash ~/Downloads/kwgroup-quicksupport.sh');

    run = new ScriptRun(
      ['-c', command],
      {
        ...process.env,
        PATH: `${fakeSudoDir(scratch)}:${process.env.PATH ?? ''}`,
        HOME: customer.home,
        TMPDIR: customer.tmp,
        QS_VNC_PORT: String(vncPort),
        QS_LOG_LEVEL: 'info',
      },
      customer.home,
      { terminal: true },
    );
    // The customer allows each channel for the session, pressing A when the terminal asks.
    run.answerEvery(/A to allow for this session/, 'a');
    await run.waitFor(/Connected\. Waiting for a technician/);
    deviceId = await eventually(
      async () => (await devices()).find((d) => d.supportSessionId === session.id && d.online)?.id,
      'the device online',
    );
    expect(control().isConnected(deviceId)).toBe(true);
    expect(control().presence(deviceId)).toMatchObject({
      mode: 'quick',
      killSwitch: false,
      capabilities: ['screen', 'shell', 'commands', 'files'],
    });
    expect(readdirSync(customer.tmp)).toEqual([expect.stringMatching(/^qs-agent\./)]);
  });

  it('a shell channel through the relay runs echo in the customer’s home', async () => {
    const sid = randomUUID();
    await control().openChannel(deviceId, {
      sessionId: sid,
      channel: 'shell',
      relayUrl: relayWs(),
      token: await mint(subjectFor('agent', sid, 'shell')),
      technician: 'Alex Tech',
    });
    const viewer = await openClient(relay, subjectFor('tech', sid, 'shell'));
    let output = '';
    viewer.on('message', (d: Buffer, isBinary: boolean) => {
      if (isBinary) output += d.toString('utf8');
    });
    viewer.send(JSON.stringify({ type: 'resize', cols: 100, rows: 30 }));
    viewer.send(Buffer.from('pwd; echo "hello-$((6*7))"\n'), { binary: true });
    await eventually(() => output.includes('hello-42'), 'echo output');
    expect(output).toContain(customer.home);
    await run.waitFor(/Alex Tech from KW Group can use a terminal/);
    const end = closed(viewer);
    await control().closeChannel(deviceId, sid, 'shell', 'Tab closed');
    await expect(end).resolves.toMatchObject({ code: 4100 });
  });

  it('a screen channel through the relay reaches x11vnc: RFB greeting and a framebuffer update', async () => {
    const sid = randomUUID();
    await control().openChannel(deviceId, {
      sessionId: sid,
      channel: 'screen',
      relayUrl: relayWs(),
      token: await mint(subjectFor('agent', sid, 'screen')),
    });
    const viewer = await openClient(relay, subjectFor('tech', sid, 'screen'));
    const rfb = await rfbHandshake(viewer);
    expect(rfb.greeting).toMatch(/^RFB 003\.00\d\n$/);
    expect({ width: rfb.width, height: rfb.height }).toEqual({ width: 640, height: 480 });
    expect(rfb.updateType).toBe(0); // FramebufferUpdate
    expect(rfb.rects).toBeGreaterThan(0);
    await control().closeChannel(deviceId, sid);
    viewer.terminate();
  });

  it('commands run with streamed output, exit code and cancel', async () => {
    const { output } = await control().runCommand(deviceId, { command: 'echo out; echo err >&2; exit 7' });
    const events = await lastValueFrom(output.pipe(toArray()));
    const text = (stream: string): string =>
      events.map((m) => (m.type === 'command_output' && m.stream === stream ? m.data : '')).join('');
    expect(text('stdout')).toBe('out\n');
    expect(text('stderr')).toBe('err\n');
    expect(events.at(-1)).toMatchObject({
      type: 'command_exit',
      exitCode: 7,
      timedOut: false,
      cancelled: false,
    });

    const long = await control().runCommand(deviceId, { command: 'sleep 30' });
    await control().cancelCommand(deviceId, long.commandId);
    await expect(lastValueFrom(long.output)).resolves.toMatchObject({
      type: 'command_exit',
      cancelled: true,
      exitCode: null,
      signal: 'SIGTERM',
    });
  });

  it('after a portal restart the agent reconnects with its credential, without registering again', async () => {
    await portal.close();
    portal = await bootPortal();
    tech = await portal.login();
    await eventually(() => control().isConnected(deviceId), 'the agent to reconnect', 60_000);
    const all = await devices();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: deviceId, online: true });
    expect(run.stdout.match(/Connecting to the support portal/g)).toHaveLength(1);
  });

  it('ending the support session stops the agent, which removes every file it wrote', async () => {
    const res = await tech.post(`/api/quick-support/sessions/${session.id}/end`).send({});
    expect(res.status).toBe(200);
    await expect(run.exited).resolves.toEqual({ code: 0, signal: null });
    expect(run.stdout).toContain('Ending the session and removing the support agent');
    expect(readdirSync(customer.tmp)).toEqual([]);
    expect(readdirSync(customer.home)).toEqual(['Downloads']);
    await eventually(
      async () => (await devices()).every((d) => d.id !== deviceId || !d.online),
      'the device offline',
    );
  });

  it('Ctrl-C ends the session from the device: the portal is told, and every file is removed', async () => {
    const second = await makeSupportSession(tech, { customerName: 'Presses Ctrl-C' });
    const download = await fetch(`${portal.baseUrl}${second.path}/download/linux`, {
      headers: { 'user-agent': USER_AGENTS.linux },
    });
    const other = customerHome(scratch, 'ctrl-c');
    writeFileSync(join(other.downloads, 'kwgroup-quicksupport.sh'), await download.text());
    const ctrlC = new ScriptRun(
      ['-c', quickRunCommand('kwgroup-quicksupport', 'linux')],
      {
        ...process.env,
        PATH: `${fakeSudoDir(scratch)}:${process.env.PATH ?? ''}`,
        HOME: other.home,
        TMPDIR: other.tmp,
      },
      other.home,
    );
    try {
      await ctrlC.waitFor(/Connected\. Waiting for a technician/);
      ctrlC.interrupt();
      await expect(ctrlC.exited).resolves.toMatchObject({ code: 130 });
      expect(readdirSync(other.tmp)).toEqual([]);
      const status = async (): Promise<string> =>
        (await tech.get(`/api/quick-support/sessions/${second.id}`)).body.status as string;
      await eventually(async () => (await status()) === 'ended', 'the session to end');
    } finally {
      ctrlC.kill('SIGKILL');
    }
  });
});
