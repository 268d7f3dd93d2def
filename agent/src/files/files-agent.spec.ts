import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import type { AgentToPortalMessage } from '../../../contracts/agent-protocol/control-messages';
import { RelayCloseCode } from '../../../contracts/relay-close-codes';
import type { Indicator, IndicatorState } from '../consent/consent-types';
import { Agent } from '../core/agent';
import { FileTracker } from '../core/file-tracker';
import { KillSwitch } from '../core/kill-switch';
import type { PlatformAdapter } from '../platform/platform';
import { posixCommandShell, posixKillTree } from '../platform/posix';
import { CREDENTIAL, DEVICE, FakePortal, until } from '../test-support/fake-portal';
import { FilesViewer } from '../test-support/files-viewer';
import { closed, silentLogger } from '../test-support/socket-pair';

const SESSION = '9b2e6c1d-0f3a-4d5b-8e7f-1a2b3c4d5e6f';
const OPEN_FIXTURE = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', 'docs', 'fixtures', 'request_open_channel.json'), 'utf8'),
) as { token: string };

/**
 * The files channel inside the real agent: opened by `open_channel` through a stand-in relay (the
 * viewer's end is the relay's socket), gated by the kill switch and the customer's stop, shown on the
 * indicator, and reported to the portal as `file_activity` only when the portal speaks 1.4.
 */
async function start(portalVersion: string) {
  const home = await mkdtemp(join(tmpdir(), 'files-agent-'));
  const platform: PlatformAdapter = {
    os: 'linux',
    osVersion: () => 'Test Linux',
    capabilities: () => ['screen', 'commands', 'files'],
    commandShell: posixCommandShell,
    killTree: posixKillTree,
    pty: undefined,
    loginShell: () => '/bin/sh',
    invokingUserHome: () => home,
  };
  const relay = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => relay.once('listening', () => resolve()));
  const portal = new FakePortal();
  portal.protocolVersion = portalVersion;
  await portal.start();
  const shown: IndicatorState[] = [];
  const indicator: Indicator = { show: (s) => shown.push(s), close: () => undefined };
  const killSwitch = new KillSwitch(false);
  const agent = new Agent({
    mode: 'quick',
    device: {
      deviceId: DEVICE,
      deviceCredential: CREDENTIAL,
      controlUrl: `ws://127.0.0.1:${portal.port}/ws`,
    },
    platform,
    logger: silentLogger,
    killSwitch,
    indicator,
    vnc: { host: '127.0.0.1', port: 1 },
    files: new FileTracker(silentLogger),
    filesConfig: { maxUploadBytes: 1024 * 1024, maxTransfers: 2 },
    onExit: () => undefined,
  });
  agent.start();
  await until(() => portal.received.some((m) => m.type === 'hello'), 'hello');
  /** Opens the files channel; resolves with the viewer's end once the agent says it is open. */
  const open = async (): Promise<FilesViewer> => {
    const agentSide = new Promise<WebSocket>((resolve) => relay.once('connection', resolve));
    portal.send({
      type: 'open_channel',
      id: 'oc-files',
      sessionId: SESSION,
      channel: 'files',
      relayUrl: `ws://127.0.0.1:${(relay.address() as AddressInfo).port}`,
      token: OPEN_FIXTURE.token,
      technician: 'Alex Tech',
    });
    const ws = await Promise.race([
      agentSide,
      until(() => portal.received.some((m) => m.type === 'error'), 'an answer', 10_000).then(() => {
        throw new Error(JSON.stringify(portal.received.filter((m) => m.type === 'error')));
      }),
    ]);
    await until(() => portal.received.some((m) => m.type === 'channel_opened'), 'channel_opened');
    return new FilesViewer(ws);
  };
  const stop = async (): Promise<void> => {
    await agent.end('shutdown');
    await portal.stop();
    for (const ws of relay.clients) ws.terminate();
    await new Promise<void>((resolve) => relay.close(() => resolve()));
    await rm(home, { recursive: true, force: true });
  };
  const activity = (): AgentToPortalMessage[] => portal.received.filter((m) => m.type === 'file_activity');
  return { agent, portal, home, open, stop, killSwitch, shown, activity };
}

describe('the files channel in the agent', () => {
  it('reports capability files in hello, shows files on the indicator and audits to a 1.4 portal', async () => {
    const rig = await start('1.4');
    try {
      expect(rig.portal.received[0]).toMatchObject({
        type: 'hello',
        capabilities: ['screen', 'commands', 'files'],
      });
      const viewer = await rig.open();
      expect(rig.shown.at(-1)?.capabilities).toEqual(['files']);
      const places = await viewer.places(1);
      expect(places).toMatchObject({ home: rig.home, maxUploadBytes: 1024 * 1024, maxTransfers: 2 });
      viewer.send({ op: 'mkdir', id: 2, dir: rig.home, name: 'Support' });
      expect(await viewer.next(2)).toMatchObject({ type: 'done', path: join(rig.home, 'Support') });
      await until(() => rig.activity().length === 1, 'file_activity');
      expect(rig.activity()).toEqual([
        {
          type: 'file_activity',
          sessionId: SESSION,
          action: 'mkdir',
          path: join(rig.home, 'Support'),
          result: 'ok',
        },
      ]);
      // The customer takes file transfer back: the channel closes, the session goes on.
      const gone = closed(viewer.ws);
      rig.agent.stopChannel('files');
      expect(await gone).toEqual({
        code: RelayCloseCode.EndedOnDevice,
        reason: 'The person at the device stopped file transfer.',
      });
      await until(() => rig.shown.at(-1)?.capabilities.length === 0, 'indicator hidden');
    } finally {
      await rig.stop();
    }
  });

  it('reports nothing to an older portal, and the kill switch ends the channel and removes a partial upload', async () => {
    const rig = await start('1.3');
    try {
      const viewer = await rig.open();
      await viewer.places(1);
      await viewer.upload(2, rig.home, 'half.bin', Buffer.alloc(1024 * 1024, 7), { stopAfter: 512 * 1024 });
      await until(() => rig.portal.received.some((m) => m.type === 'agent_status'), 'status');
      const gone = closed(viewer.ws);
      rig.killSwitch.set(true);
      expect((await gone).code).toBe(RelayCloseCode.EndedOnDevice);
      await until(() => rig.shown.at(-1)?.capabilities.length === 0, 'indicator hidden');
      // The temporary file goes with the channel (closed on purpose, nothing to resume).
      const deadline = Date.now() + 5000;
      while ((await readdir(rig.home)).length > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(await readdir(rig.home)).toEqual([]);
      expect(rig.activity()).toEqual([]);
      await expect(stat(join(rig.home, 'half.bin'))).rejects.toThrow();
    } finally {
      await rig.stop();
    }
  });

  it("keeps a dropped upload's partial across a reconnect, and deletes it when the portal closes files for good", async () => {
    const rig = await start('1.4');
    try {
      const viewer = await rig.open();
      await viewer.places(1);
      await viewer.upload(2, rig.home, 'half.bin', Buffer.alloc(1024 * 1024, 7), { stopAfter: 512 * 1024 });
      // The viewer's socket drops: the partial waits for a resume.
      viewer.ws.terminate();
      await until(() => rig.shown.at(-1)?.capabilities.length === 0, 'channel ended');
      const answered = (id: string) => () =>
        rig.portal.received.some((m) => 'replyTo' in m && m.replyTo === id);
      rig.portal.send({
        type: 'close_channel',
        id: 'cc-1',
        sessionId: SESSION,
        channel: 'files',
        reason: 'reconnecting',
      });
      await until(answered('cc-1'), 'close_channel answered');
      expect((await readdir(rig.home)).filter((n) => n.endsWith('.qspart'))).toHaveLength(1);
      rig.portal.send({ type: 'close_channel', id: 'cc-2', sessionId: SESSION, reason: 'session ended' });
      await until(answered('cc-2'), 'close_channel answered');
      const deadline = Date.now() + 5000;
      while ((await readdir(rig.home)).length > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(await readdir(rig.home)).toEqual([]);
    } finally {
      await rig.stop();
    }
  });
});
