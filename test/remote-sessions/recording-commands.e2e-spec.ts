import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RecordingStoreError,
  type RecordingObjectWriter,
  type RecordingStore,
} from '../../contracts/node/recording-store';
import type { RelayServer } from '../../relay/relay-server';
import { RecordingStoreRef } from '../../src/recordings/recording-store.provider';
import { DataSource } from 'typeorm';
import { eventually } from '../agent/support/script-run';
import { downloadInstaller, makeSupportSession } from '../support/quick-support-factories';
import type { TestApp } from '../support/test-app';
import type { FakeAgent, FakeAgentOptions } from './fake-agent';
import { onlineAgent, startStack } from './stack';

jest.setTimeout(90_000);

type Tech = Awaited<ReturnType<TestApp['loginAs']>>;

interface RecordingItem {
  id: string;
  channel: string;
  status: string;
  mode: string;
  chunks: number;
  failure: string | null;
  incompleteReason: string | null;
}

async function startSession(
  t: TestApp,
  tech: Tech,
  agents: FakeAgent[],
  recordingEnabled: boolean,
  opts: FakeAgentOptions = {},
): Promise<{ sessionId: string; agent: FakeAgent }> {
  const support = await makeSupportSession(tech, { customerName: 'Front desk' });
  const { token } = await downloadInstaller(t, support.path, 'linux');
  const { deviceId, agent } = await onlineAgent(t, tech, token, agents, { os: 'linux' }, opts);
  const res = await tech
    .post('/api/remote-sessions')
    .send({ deviceId, type: 'attended', protocol: 'web', recordingEnabled });
  expect(res.status).toBe(201);
  return { sessionId: res.body.session.id as string, agent };
}

const recordingsOf = async (tech: Tech, sessionId: string): Promise<RecordingItem[]> =>
  (await tech.get(`/api/remote-sessions/${sessionId}/recordings`).expect(200)).body.items as RecordingItem[];

/**
 * The portal's store, except that a chunk's second write fails (the disk filled up mid-command): the
 * command line goes in, the device's output does not. Undo with the returned function.
 */
function failChunkWrites(t: TestApp): () => void {
  const ref = t.app.get<RecordingStoreRef, { store: RecordingStore }>(RecordingStoreRef);
  const real = ref.store;
  const failing: RecordingStore = Object.create(real);
  failing.create = (recordingId: string, name: string): RecordingObjectWriter => {
    const inner = real.create(recordingId, name);
    let writes = 0;
    let failed: RecordingStoreError | undefined;
    let listener: ((err: RecordingStoreError) => void) | undefined;
    return {
      write: (data) => {
        if (failed) return false;
        if (++writes < 3) return inner.write(data);
        failed = new RecordingStoreError('full', 'writing a chunk: no space left');
        const err = failed;
        queueMicrotask(() => listener?.(err));
        return false;
      },
      onDrain: (l) => inner.onDrain(l),
      onError: (l) => {
        listener = l;
      },
      get failed() {
        return failed;
      },
      get bytes() {
        return inner.bytes;
      },
      close: async () => {
        if (failed) throw failed;
        await inner.close();
      },
      abort: () => inner.abort(),
    };
  };
  ref.store = failing;
  return () => {
    ref.store = real;
  };
}

const sessionOf = async (
  tech: Tech,
  sessionId: string,
): Promise<{ status: string; endReason: string | null }> =>
  (await tech.get(`/api/remote-sessions/${sessionId}`).expect(200)).body as {
    status: string;
    endReason: string | null;
  };

/** Commands run through the portal (control channel, not the relay) are recorded by the portal. */
describe('commands run through the portal in a recorded session', () => {
  let t: TestApp;
  let relay: RelayServer;
  const agents: FakeAgent[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'rec-commands-'));

  beforeAll(async () => {
    ({ t, relay } = await startStack({}, { RECORDING_POLICY: 'optional', RECORDING_DIR: dir }));
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await t.close();
    await relay.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lands the command line, its output and its exit in a verified `commands` recording', async () => {
    const tech = await t.loginAs();
    const { sessionId } = await startSession(t, tech, agents, true);
    const command = 'echo "quoted" \\ and more';
    await tech.post(`/api/remote-sessions/${sessionId}/commands`).send({ command }).expect(201);
    await eventually(
      async () =>
        (await recordingsOf(tech, sessionId)).some((r) => r.channel === 'commands' && r.chunks >= 1),
      'the command’s chunk was closed at its exit',
    );
    await tech.post(`/api/remote-sessions/${sessionId}/end`).send({}).expect(200);
    await eventually(
      async () =>
        (await recordingsOf(tech, sessionId)).some(
          (r) => r.channel === 'commands' && r.status === 'complete',
        ),
      'the commands recording completed when the session ended',
    );
    const rec = (await recordingsOf(tech, sessionId)).find((r) => r.channel === 'commands')!;
    expect(rec).toMatchObject({ mode: 'optional', status: 'complete', chunks: 1 });

    const parts: Buffer[] = [];
    for (let i = 0; i < rec.chunks; i++) {
      const res = await tech
        .get(`/api/recordings/${rec.id}/chunks/${i}`)
        .buffer(true)
        .parse((r, cb) => {
          const got: Buffer[] = [];
          r.on('data', (c: Buffer) => got.push(c));
          r.on('end', () => cb(null, Buffer.concat(got)));
        })
        .expect(200);
      parts.push(res.body as Buffer);
    }
    const lines = Buffer.concat(parts).toString('utf8').split('\n').filter(Boolean);
    const [header, ...events] = lines.map((l) => JSON.parse(l) as unknown);
    expect(header).toMatchObject({ version: 2, width: 120, height: 40, env: { TERM: 'xterm-256color' } });
    expect(typeof (header as { timestamp: unknown }).timestamp).toBe('number');
    const shown = (events as [number, string, string][]).map(([at, kind, text]) => {
      expect(typeof at).toBe('number');
      expect(kind).toBe('o');
      return text;
    });
    expect(shown).toEqual([`$ ${command}\r\n`, 'done\r\n', '[exit 0]\r\n']);

    const verified = await tech.post(`/api/recordings/${rec.id}/verify`).send({}).expect(201);
    expect(verified.body).toMatchObject({ integrity: 'verified' });
  });

  it('optional: a write failing mid-command closes the recording as store_failed and the session goes on', async () => {
    const tech = await t.loginAs();
    const { sessionId, agent } = await startSession(t, tech, agents, true, { holdCommands: true });
    const restore = failChunkWrites(t);
    try {
      const started = await tech
        .post(`/api/remote-sessions/${sessionId}/commands`)
        .send({ command: 'tail -f /var/log/syslog' })
        .expect(201);
      const commandId = started.body.commandId as string;
      agent.send({ type: 'command_output', commandId, stream: 'stdout', seq: 0, data: 'line one\n' });
      await eventually(
        async () =>
          (
            await t.app
              .get(DataSource)
              .query(`SELECT failure FROM recordings WHERE session_id = $1 AND channel = 'commands'`, [
                sessionId,
              ])
          )[0]?.failure === 'full',
        'the recording noted the store failure',
      );
      expect((await sessionOf(tech, sessionId)).status).not.toBe('ended');
      expect(agent.inbox.filter((m) => m.type === 'cancel_command')).toEqual([]);
      // Later commands still run.
      await tech.post(`/api/remote-sessions/${sessionId}/commands`).send({ command: 'uptime' }).expect(201);
    } finally {
      restore();
    }
    await tech.post(`/api/remote-sessions/${sessionId}/end`).send({}).expect(200);
    await eventually(
      async () =>
        (await recordingsOf(tech, sessionId)).some(
          (r) => r.channel === 'commands' && r.status !== 'recording',
        ),
      'the commands recording was closed when the session ended',
    );
    const [rec] = (await recordingsOf(tech, sessionId)).filter((r) => r.channel === 'commands');
    // Nothing past the failure was kept, so the row says failed (as the relay's do), with why.
    expect(rec).toMatchObject({
      mode: 'optional',
      status: 'failed',
      failure: 'full',
      incompleteReason: 'store_failed',
    });
  });

  it('records nothing for a session that is not recorded', async () => {
    const tech = await t.loginAs();
    const { sessionId, agent } = await startSession(t, tech, agents, false);
    await tech.post(`/api/remote-sessions/${sessionId}/commands`).send({ command: 'hostname' }).expect(201);
    await eventually(
      () => agent.inbox.some((m) => m.type === 'run_command'),
      'the device was asked to run the command',
    );
    await tech.post(`/api/remote-sessions/${sessionId}/end`).send({}).expect(200);
    expect(await recordingsOf(tech, sessionId)).toEqual([]);
  });
});

describe('commands in a session that must be recorded, with an unwritable store', () => {
  let t: TestApp;
  let relay: RelayServer;
  const agents: FakeAgent[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'rec-commands-'));
  const file = join(dir, 'not-a-folder');

  beforeAll(async () => {
    writeFileSync(file, 'a regular file');
    ({ t, relay } = await startStack(
      {},
      { RECORDING_POLICY: 'required', RECORDING_DIR: join(file, 'recordings') },
    ));
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await t.close();
    await relay.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the command with 503 recording_failed and sends nothing to the device', async () => {
    const tech = await t.loginAs();
    const { sessionId, agent } = await startSession(t, tech, agents, false);
    const res = await tech.post(`/api/remote-sessions/${sessionId}/commands`).send({ command: 'hostname' });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('recording_failed');
    expect(res.body.message).toMatch(/recording cannot be written/);
    expect(agent.inbox.filter((m) => m.type === 'run_command')).toEqual([]);
  });
});

describe('commands in a session that must be recorded, when the store fails mid-command', () => {
  let t: TestApp;
  let relay: RelayServer;
  const agents: FakeAgent[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'rec-commands-'));

  beforeAll(async () => {
    ({ t, relay } = await startStack({}, { RECORDING_POLICY: 'required', RECORDING_DIR: dir }));
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await t.close();
    await relay.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('cancels the command and ends the session with recording_failed', async () => {
    const tech = await t.loginAs();
    const { sessionId, agent } = await startSession(t, tech, agents, false, { holdCommands: true });
    const restore = failChunkWrites(t);
    try {
      const started = await tech
        .post(`/api/remote-sessions/${sessionId}/commands`)
        .send({ command: 'tail -f /var/log/syslog' })
        .expect(201);
      const commandId = started.body.commandId as string;
      agent.send({ type: 'command_output', commandId, stream: 'stdout', seq: 0, data: 'line one\n' });
      await eventually(
        () => agent.inbox.some((m) => m.type === 'cancel_command' && m.commandId === commandId),
        'the device was told to cancel the command',
      );
      expect(await sessionOf(tech, sessionId)).toMatchObject({
        status: 'ended',
        endReason: 'recording_failed',
      });
    } finally {
      restore();
    }
  });
});
