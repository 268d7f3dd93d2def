import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { performance } from 'node:perf_hooks';
import {
  RECORDING_CHUNK_MAX_MS,
  RECORDING_MANIFEST_NAME,
  RECORDING_OPEN_MARKER,
  ScreenRecordReader,
  SCREEN_DIRECTION,
  parseRecordingManifest,
  type RecordingManifest,
} from '../../contracts/recording/format';
import { RelayCloseCode } from '../../contracts/relay-close-codes';
import type { RecordingFinishedEvent, RelayEvent } from '../../contracts/relay-events';
import { checkRecordingChain, checkRecordingChunk } from '../../contracts/node/recording-chain';
import { FsRecordingStore } from '../../contracts/node/recording-store';
import { mintRelayToken, type RelayRecordingClaim } from '../../contracts/node/relay-token';
import type { RelayServer } from '../../relay/relay-server';
import { startRelay } from '../../relay/relay-server';
import { startEventSink, type EventSink } from './support/event-sink';
import {
  TOKEN_KEY,
  closed,
  nextMessage,
  openClient,
  subjectFor,
  testRelayConfig,
  until,
} from './support/relay-harness';

const TECH_ID = randomUUID();
const DEVICE_ID = randomUUID();
const claim = (mode: RelayRecordingClaim['mode'] = 'required'): RelayRecordingClaim => ({
  mode,
  tech: TECH_ID,
  device: DEVICE_ID,
});

/** Opens agent then tech for (sid, ch); `rec` goes into both tokens unless told otherwise. */
async function openRecordedPair(
  relay: RelayServer,
  ch: string,
  rec: RelayRecordingClaim | undefined,
  sid: string = randomUUID(),
): Promise<{ agent: WebSocket; tech: WebSocket; sid: string }> {
  const token = (role: 'agent' | 'tech'): Promise<string> =>
    mintRelayToken(TOKEN_KEY.secret, TOKEN_KEY.kid, { ...subjectFor(role, sid, ch), rec }, 60);
  const agent = await openClient(relay, subjectFor('agent', sid, ch), { token: await token('agent') });
  const tech = await openClient(relay, subjectFor('tech', sid, ch), { token: await token('tech') });
  return { agent, tech, sid };
}

function of<T extends RelayEvent['type']>(
  events: RelayEvent[],
  sid: string,
  type: T,
): Array<Extract<RelayEvent, { type: T }>> {
  return events.filter((e) => e.sessionId === sid && e.type === type) as Array<
    Extract<RelayEvent, { type: T }>
  >;
}

async function readManifest(store: FsRecordingStore, recordingId: string): Promise<RecordingManifest> {
  const bytes = await store.get(recordingId, RECORDING_MANIFEST_NAME);
  if (!bytes) throw new Error('no manifest');
  return parseRecordingManifest(JSON.parse(bytes.toString('utf8')));
}

/** Every chunk, checked against the manifest, concatenated. */
async function readChunks(store: FsRecordingStore, manifest: RecordingManifest): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const entry of manifest.chunks) {
    const bytes = await store.get(manifest.recordingId, entry.name);
    expect(checkRecordingChunk(entry, bytes)).toEqual({ ok: true, brokenAt: null, problem: null });
    parts.push(bytes as Buffer);
  }
  return Buffer.concat(parts);
}

/** Sends messages one way and waits until the other side has them all. */
async function sendAll(from: WebSocket, to: WebSocket, messages: Array<Buffer | string>): Promise<void> {
  let left = messages.length;
  const all = new Promise<void>((resolve) => {
    const onMessage = (): void => {
      if (--left === 0) {
        to.off('message', onMessage);
        resolve();
      }
    };
    to.on('message', onMessage);
  });
  for (const m of messages) from.send(m);
  await all;
}

describe('relay: recording', () => {
  let sink: EventSink;
  let dir: string;
  let relay: RelayServer;
  let store: FsRecordingStore;

  beforeAll(async () => {
    sink = await startEventSink();
    dir = await mkdtemp(join(tmpdir(), 'relay-rec-'));
    store = new FsRecordingStore(join(dir, 'recordings'));
    relay = await startRelay(
      testRelayConfig({ eventsUrl: sink.url }, { RECORDING_DIR: join(dir, 'recordings') }),
    );
  });
  afterAll(async () => {
    await relay.close();
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records both directions of a screen pair: the chain verifies and the records hold every byte in order', async () => {
    const { agent, tech, sid } = await openRecordedPair(relay, 'screen', claim());
    const fromAgent = Array.from({ length: 40 }, (_, i) => Buffer.alloc(1 + i * 997, i));
    const fromTech = Array.from({ length: 10 }, (_, i) => Buffer.from(`pointer ${i}`));
    await sendAll(agent, tech, fromAgent.slice(0, 20));
    await sendAll(tech, agent, fromTech);
    await sendAll(agent, tech, fromAgent.slice(20));
    const techClosed = closed(tech);
    agent.close(RelayCloseCode.EndedOnDevice);
    await techClosed;

    await until(() => of(sink.events, sid, 'recording_finished').length === 1, 10_000);
    const [started] = of(sink.events, sid, 'recording_started');
    expect(started).toMatchObject({ mode: 'required', technicianId: TECH_ID, deviceId: DEVICE_ID });
    const [finished] = of(sink.events, sid, 'recording_finished');
    expect(finished).toMatchObject({
      recordingId: started.recordingId,
      complete: true,
      incompleteReason: null,
    });

    const manifest = await readManifest(store, started.recordingId);
    expect(manifest).toMatchObject({
      sessionId: sid,
      channel: 'screen',
      encoding: 'rfb-records/1',
      complete: true,
      technicianId: TECH_ID,
      deviceId: DEVICE_ID,
      bytesAgentToTech: fromAgent.reduce((n, b) => n + b.length, 0),
      bytesTechToAgent: fromTech.reduce((n, b) => n + b.length, 0),
    });
    expect(manifest.endedAt).not.toBeNull();
    expect(checkRecordingChain(manifest, finished)).toMatchObject({ ok: true });

    const reader = new ScreenRecordReader();
    const records = reader.push(await readChunks(store, manifest));
    expect(reader.pendingBytes).toBe(0);
    const agentRecords = records.filter((r) => r.direction === SCREEN_DIRECTION.agentToTech);
    const techRecords = records.filter((r) => r.direction === SCREEN_DIRECTION.techToAgent);
    expect(agentRecords.map((r) => Buffer.from(r.data))).toEqual(fromAgent);
    expect(techRecords.map((r) => Buffer.from(r.data))).toEqual(fromTech);
    // The tech's records sit between the agent's two bursts, and time never runs backwards.
    expect(records.slice(20, 30).every((r) => r.direction === SCREEN_DIRECTION.techToAgent)).toBe(true);
    for (let i = 1; i < records.length; i++)
      expect(records[i].atMs).toBeGreaterThanOrEqual(records[i - 1].atMs);
  });

  it('closes a chunk at 8 MiB: several chunks, each reported, chained, and together the whole stream', async () => {
    const { agent, tech, sid } = await openRecordedPair(relay, 'screen', claim());
    const messages = Array.from({ length: 20 }, (_, i) => Buffer.alloc(512 * 1024, i));
    for (let i = 0; i < messages.length; i += 4) await sendAll(agent, tech, messages.slice(i, i + 4));
    const techClosed = closed(tech);
    agent.close(1000);
    await techClosed;
    await until(() => of(sink.events, sid, 'recording_finished').length === 1, 20_000);
    const [finished] = of(sink.events, sid, 'recording_finished');
    const progress = of(sink.events, sid, 'recording_progress');
    expect(finished.chunks).toBe(2);
    expect(progress.map((p) => p.chunks)).toEqual([1, 2]);
    const manifest = await readManifest(store, finished.recordingId);
    expect(manifest.chunks.map((c) => c.name)).toEqual(['000000.rfb', '000001.rfb']);
    expect(manifest.chunks[0].bytes).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    expect(checkRecordingChain(manifest, progress[0]).ok).toBe(true);
    expect(checkRecordingChain(manifest, finished).ok).toBe(true);
    expect(finished.bytes).toBe(manifest.chunks.reduce((n, c) => n + c.bytes, 0));
    const records = new ScreenRecordReader().push(await readChunks(store, manifest));
    // Buffer.equals, not toEqual: a deep comparison of 10 MiB byte by byte takes jest half a minute.
    expect(records).toHaveLength(messages.length);
    expect(records.every((r, i) => Buffer.from(r.data).equals(messages[i]))).toBe(true);
  });

  it('closes a chunk that has been open for RECORDING_CHUNK_MAX_MS while the pair goes on', async () => {
    const { agent, tech, sid } = await openRecordedPair(relay, 'screen', claim());
    await sendAll(agent, tech, [Buffer.from('first')]);
    // The shared sweep, as it would run once the chunk is 10 s old.
    relay.recordings.tick(performance.now() + RECORDING_CHUNK_MAX_MS);
    await until(() => of(sink.events, sid, 'recording_progress').length === 1, 10_000);
    await sendAll(agent, tech, [Buffer.from('second')]);
    const techClosed = closed(tech);
    agent.close(1000);
    await techClosed;
    await until(() => of(sink.events, sid, 'recording_finished').length === 1, 10_000);
    const [finished] = of(sink.events, sid, 'recording_finished');
    const manifest = await readManifest(store, finished.recordingId);
    expect(manifest.chunks).toHaveLength(2);
    const records = new ScreenRecordReader().push(await readChunks(store, manifest));
    expect(records.map((r) => Buffer.from(r.data).toString())).toEqual(['first', 'second']);
  });

  it('records a shell pair as asciicast v2: output, input (split UTF-8 kept whole) and resize', async () => {
    const { agent, tech, sid } = await openRecordedPair(relay, 'shell', claim('optional'));
    const euro = Buffer.from('€', 'utf8');
    await sendAll(agent, tech, [
      Buffer.from('$ '),
      euro.subarray(0, 1),
      Buffer.concat([euro.subarray(1), Buffer.from('\r\n')]),
    ]);
    const atAgent = nextMessage(agent);
    tech.send(JSON.stringify({ type: 'resize', cols: 120, rows: 40 }));
    await atAgent;
    await sendAll(tech, agent, [Buffer.from('echo marker\r')]);
    const techClosed = closed(tech);
    agent.close(1000);
    await techClosed;

    await until(() => of(sink.events, sid, 'recording_finished').length === 1, 10_000);
    const [finished] = of(sink.events, sid, 'recording_finished');
    const manifest = await readManifest(store, finished.recordingId);
    expect(manifest).toMatchObject({
      channel: 'shell',
      encoding: 'asciicast/2',
      mode: 'optional',
      complete: true,
    });
    expect(checkRecordingChain(manifest, finished).ok).toBe(true);
    const lines = (await readChunks(store, manifest)).toString('utf8').trimEnd().split('\n');
    const header = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(header).toMatchObject({ version: 2, width: 80, height: 24, env: { TERM: 'xterm-256color' } });
    const events = lines.slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    expect(events.map(([, code, data]) => [code, data])).toEqual([
      ['o', '$ '],
      ['o', '€\r\n'],
      ['r', '120x40'],
      ['i', 'echo marker\r'],
    ]);
    for (let i = 1; i < events.length; i++) expect(events[i][0]).toBeGreaterThanOrEqual(events[i - 1][0]);
  });

  it('records the commands channel as terminal output', async () => {
    const { agent, tech, sid } = await openRecordedPair(relay, 'commands', claim());
    await sendAll(tech, agent, [
      JSON.stringify({ type: 'run_command', id: 'r1', commandId: 'c1', command: 'uname -a' }),
    ]);
    await sendAll(agent, tech, [
      JSON.stringify({ type: 'command_output', commandId: 'c1', stream: 'stdout', seq: 0, data: 'Linux\n' }),
      JSON.stringify({ type: 'command_exit', commandId: 'c1', exitCode: 0, signal: null }),
      'not json',
      Buffer.from('binary frames are not commands'),
    ]);
    const techClosed = closed(tech);
    agent.close(1000);
    await techClosed;
    await until(() => of(sink.events, sid, 'recording_finished').length === 1, 10_000);
    const [finished] = of(sink.events, sid, 'recording_finished');
    const manifest = await readManifest(store, finished.recordingId);
    const lines = (await readChunks(store, manifest)).toString('utf8').trimEnd().split('\n');
    expect(lines.slice(1).map((l) => (JSON.parse(l) as [number, string, string]).slice(1))).toEqual([
      ['o', '$ uname -a\r\n'],
      ['o', 'Linux\r\n'],
      ['o', '[exit 0]\r\n'],
    ]);
  });

  it('records nothing for a pair whose tokens carry no rec claim', async () => {
    const before = new Set<string>();
    for await (const id of store.recordingIds()) before.add(id);
    const { agent, tech, sid } = await openRecordedPair(relay, 'screen', undefined);
    await sendAll(agent, tech, [Buffer.alloc(5000)]);
    const techClosed = closed(tech);
    agent.close(1000);
    await techClosed;
    await until(() => sink.events.some((e) => e.sessionId === sid && e.type === 'closed'), 10_000);
    expect(sink.events.filter((e) => e.sessionId === sid && e.type.startsWith('recording_'))).toEqual([]);
    const after: string[] = [];
    for await (const id of store.recordingIds()) if (!before.has(id)) after.push(id);
    expect(after).toEqual([]);
  });
});

describe('relay: recording with a store it cannot write', () => {
  let sink: EventSink;
  let dir: string;
  let relay: RelayServer;

  beforeAll(async () => {
    sink = await startEventSink();
    dir = await mkdtemp(join(tmpdir(), 'relay-rec-bad-'));
    // The recordings path lies under a file: no user, root included, can create it (ENOTDIR).
    await writeFile(join(dir, 'a-file'), 'not a folder');
    relay = await startRelay(
      testRelayConfig({ eventsUrl: sink.url }, { RECORDING_DIR: join(dir, 'a-file', 'recordings') }),
    );
  });
  afterAll(async () => {
    await relay.close();
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('still starts, and a required recording closes both sides with 4016 before any byte flows', async () => {
    const sid = randomUUID();
    const rec = claim('required');
    const agentToken = await mintRelayToken(
      TOKEN_KEY.secret,
      TOKEN_KEY.kid,
      { ...subjectFor('agent', sid), rec },
      60,
    );
    const techToken = await mintRelayToken(
      TOKEN_KEY.secret,
      TOKEN_KEY.kid,
      { ...subjectFor('tech', sid), rec },
      60,
    );
    const agent = await openClient(relay, subjectFor('agent', sid), { token: agentToken });
    let techGot = 0;
    const agentClosed = closed(agent);
    agent.send(Buffer.alloc(100)); // held until the tech arrives, then never forwarded
    await until(() => relay.registry.waitingSides === 1);
    const tech = await openClient(relay, subjectFor('tech', sid), { token: techToken });
    tech.on('message', () => techGot++);
    const techClosed = closed(tech);
    const [a, t] = await Promise.all([agentClosed, techClosed]);
    expect(a.code).toBe(RelayCloseCode.RecordingFailed);
    expect(t).toEqual({
      code: RelayCloseCode.RecordingFailed,
      reason: 'This session must be recorded and the recording could not be saved, so it was ended.',
    });
    expect(techGot).toBe(0);
    await until(
      () =>
        of(sink.events, sid, 'closed').length === 1 &&
        of(sink.events, sid, 'recording_finished').length === 1,
      10_000,
    );
    expect(of(sink.events, sid, 'recording_failed')).toEqual([
      expect.objectContaining({ mode: 'required', failure: expect.any(String) }),
    ]);
    expect(of(sink.events, sid, 'closed')[0]).toMatchObject({
      closeCode: RelayCloseCode.RecordingFailed,
      reason: 'recording_failed',
      initiator: 'relay',
      bytesAgentToTech: 0,
    });
    expect(of(sink.events, sid, 'recording_finished')[0]).toMatchObject({
      complete: false,
      incompleteReason: 'store_failed',
      chunks: 0,
    });
  });

  it('an optional recording fails and the pair keeps working', async () => {
    const { agent, tech, sid } = await openRecordedPair(relay, 'screen', claim('optional'));
    await sendAll(agent, tech, [Buffer.alloc(2000, 1), Buffer.alloc(3000, 2)]);
    await sendAll(tech, agent, [Buffer.from('input')]);
    await until(() => of(sink.events, sid, 'recording_finished').length === 1, 10_000);
    expect(of(sink.events, sid, 'recording_failed')[0]).toMatchObject({ mode: 'optional' });
    expect(of(sink.events, sid, 'recording_finished')[0]).toMatchObject({
      complete: false,
      incompleteReason: 'store_failed',
    });
    await sendAll(agent, tech, [Buffer.alloc(4000, 3)]);
    const techClosed = closed(tech);
    agent.close(1000);
    expect((await techClosed).code).toBe(RelayCloseCode.PeerLeft);
  });
});

describe('relay: recordings across a stop and a crash', () => {
  let dir: string;
  let sink: EventSink;

  beforeAll(async () => {
    sink = await startEventSink();
    dir = await mkdtemp(join(tmpdir(), 'relay-rec-stop-'));
  });
  afterAll(async () => {
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a shutdown finishes an open recording as incomplete relay_shutdown, with its bytes readable', async () => {
    const recDir = join(dir, 'shutdown');
    const relay = await startRelay(testRelayConfig({ eventsUrl: sink.url }, { RECORDING_DIR: recDir }));
    const { agent, tech, sid } = await openRecordedPair(relay, 'screen', claim());
    await sendAll(agent, tech, [Buffer.alloc(10_000, 7)]);
    const techClosed = closed(tech);
    await relay.close();
    expect((await techClosed).code).toBe(RelayCloseCode.ShuttingDown);
    const [finished] = of(sink.events, sid, 'recording_finished');
    expect(finished).toMatchObject({ complete: false, incompleteReason: 'relay_shutdown', chunks: 1 });
    const store = new FsRecordingStore(recDir);
    const manifest = await readManifest(store, finished.recordingId);
    expect(manifest).toMatchObject({ complete: false, incompleteReason: 'relay_shutdown' });
    expect(manifest.endedAt).not.toBeNull();
    expect(checkRecordingChain(manifest, finished).ok).toBe(true);
    const records = new ScreenRecordReader().push(await readChunks(store, manifest));
    expect(records.map((r) => Buffer.from(r.data))).toEqual([Buffer.alloc(10_000, 7)]);
  });

  it('a recording left open by a crash is closed as relay_crashed at the next start', async () => {
    const recDir = join(dir, 'crash');
    const store = new FsRecordingStore(recDir);
    // What a killed relay leaves: the open marker, a manifest naming one closed chunk, endedAt null, and
    // a chunk in progress.
    const first = await startRelay(testRelayConfig({}, { RECORDING_DIR: recDir }));
    const { agent, tech } = await openRecordedPair(first, 'screen', claim());
    await sendAll(agent, tech, [Buffer.alloc(1000, 9)]);
    const techClosed = closed(tech);
    await first.close();
    await techClosed;
    const ids: string[] = [];
    for await (const id of store.recordingIds()) ids.push(id);
    expect(ids).toHaveLength(1);
    const [recordingId] = ids;
    const shut = await readManifest(store, recordingId);
    await store.put(
      recordingId,
      RECORDING_MANIFEST_NAME,
      Buffer.from(JSON.stringify({ ...shut, endedAt: null, complete: false, incompleteReason: null })),
    );
    await writeFile(join(recDir, recordingId, '000001.rfb'), Buffer.alloc(50));
    expect(await store.get(recordingId, RECORDING_OPEN_MARKER)).toBeNull(); // removed at the shutdown
    await store.put(recordingId, RECORDING_OPEN_MARKER, new Uint8Array(0));

    const second = await startRelay(testRelayConfig({ eventsUrl: sink.url }, { RECORDING_DIR: recDir }));
    try {
      expect(await second.recordingSweep).toBe(1);
      const swept = await readManifest(store, recordingId);
      expect(swept).toMatchObject({
        complete: false,
        incompleteReason: 'relay_crashed',
        chunks: shut.chunks,
      });
      expect(swept.endedAt).not.toBeNull();
      expect(checkRecordingChain(swept).ok).toBe(true);
      await until(() =>
        sink.events.some((e) => e.type === 'recording_finished' && e.recordingId === recordingId),
      );
      const event = sink.events.find(
        (e): e is RecordingFinishedEvent => e.type === 'recording_finished' && e.recordingId === recordingId,
      );
      expect(event).toMatchObject({ complete: false, incompleteReason: 'relay_crashed', chunks: 1 });
      expect(await readFile(join(recDir, recordingId, '000001.rfb'))).toHaveLength(50);
      expect(await store.get(recordingId, RECORDING_OPEN_MARKER)).toBeNull();
    } finally {
      await second.close();
    }
  });
});

/** Runs `mount`/`umount` (the suite runs as root, as the reviewer's probes did). */
function mountCommand(...args: string[]): void {
  execFileSync(args[0] === 'umount' ? 'umount' : 'mount', args[0] === 'umount' ? args.slice(1) : args, {
    stdio: 'pipe',
  });
}

describe('relay: recording onto a filesystem that turns read-only or fills up', () => {
  let sink: EventSink;
  let dir: string;
  const mounts: string[] = [];

  /** A fresh tmpfs of `size` under the suite's folder. */
  async function tmpfs(name: string, size: string): Promise<string> {
    const at = join(dir, name);
    await mkdir(at);
    mountCommand('-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', at);
    mounts.push(at);
    return at;
  }

  beforeAll(async () => {
    sink = await startEventSink();
    dir = await mkdtemp(join(tmpdir(), 'relay-rec-fs-'));
  });
  afterAll(async () => {
    for (const at of mounts.reverse()) mountCommand('umount', at);
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a filesystem that is read-only from the start is reported as read_only', async () => {
    const at = await tmpfs('ro-start', '1m');
    await mkdir(join(at, 'existing'));
    mountCommand('-o', 'remount,ro', at);
    for (const folder of ['existing', 'missing']) {
      const relay = await startRelay(testRelayConfig({}, { RECORDING_DIR: join(at, folder) }));
      try {
        expect(relay.recordings.unavailable?.failure).toBe('read_only');
      } finally {
        await relay.close();
      }
    }
  });

  it('a required pair whose store turns read-only after start: the technician receives nothing before 4016', async () => {
    const at = await tmpfs('ro-later', '4m');
    const relay = await startRelay(
      testRelayConfig({ eventsUrl: sink.url }, { RECORDING_DIR: join(at, 'recordings') }),
    );
    try {
      expect(relay.recordings.unavailable).toBeUndefined();
      mountCommand('-o', 'remount,ro', at);
      const sid = randomUUID();
      const token = (role: 'agent' | 'tech'): Promise<string> =>
        mintRelayToken(TOKEN_KEY.secret, TOKEN_KEY.kid, { ...subjectFor(role, sid), rec: claim() }, 60);
      const agent = await openClient(relay, subjectFor('agent', sid), { token: await token('agent') });
      const agentClosed = closed(agent);
      agent.send(Buffer.alloc(100, 1)); // held before the technician arrives
      await until(() => relay.registry.waitingSides === 1);
      const tech = await openClient(relay, subjectFor('tech', sid), { token: await token('tech') });
      let techGot = 0;
      tech.on('message', () => techGot++);
      const techClosed = closed(tech);
      // …and the device keeps sending right after pairing, as the reviewer's probe did.
      for (let i = 0; i < 20; i++) agent.send(Buffer.alloc(64 * 1024, 2));
      expect((await techClosed).code).toBe(RelayCloseCode.RecordingFailed);
      expect((await agentClosed).code).toBe(RelayCloseCode.RecordingFailed);
      expect(techGot).toBe(0);
      await until(() => of(sink.events, sid, 'recording_finished').length === 1, 10_000);
      expect(of(sink.events, sid, 'recording_failed')).toEqual([
        expect.objectContaining({ mode: 'required', failure: 'read_only' }),
      ]);
      await until(() => of(sink.events, sid, 'closed').length === 1, 10_000);
      expect(of(sink.events, sid, 'closed')[0]).toMatchObject({ bytesAgentToTech: 0 });
    } finally {
      await relay.close();
    }
  });

  it('a store that fills up keeps the chunks closed so far and the one interrupted; the next start reports nothing again', async () => {
    const at = await tmpfs('full', '12m');
    const recDir = join(at, 'recordings');
    const relay = await startRelay(testRelayConfig({ eventsUrl: sink.url }, { RECORDING_DIR: recDir }));
    let recordingId = '';
    let sid = '';
    try {
      const pair = await openRecordedPair(relay, 'screen', claim('optional'));
      sid = pair.sid;
      // 8 MiB closes chunk 0; chunk 1 then meets the end of the 12 MiB filesystem.
      const piece = Buffer.alloc(256 * 1024, 5);
      await sendAll(
        pair.agent,
        pair.tech,
        Array.from({ length: 56 }, () => piece),
      );
      await until(() => of(sink.events, sid, 'recording_finished').length === 1, 30_000);
      expect(of(sink.events, sid, 'recording_failed')).toEqual([
        expect.objectContaining({ mode: 'optional', failure: 'full' }),
      ]);
      const [finished] = of(sink.events, sid, 'recording_finished');
      expect(finished).toMatchObject({ complete: false, incompleteReason: 'store_failed', chunks: 1 });
      recordingId = finished.recordingId;
      const store = new FsRecordingStore(recDir);
      // The last manifest that landed names chunk 0, which verifies; chunk 1 is still there, unnamed.
      const manifest = await readManifest(store, recordingId);
      expect(manifest.chunks.map((c) => c.name)).toEqual(['000000.rfb']);
      expect((await readChunks(store, manifest)).length).toBe(manifest.chunks[0].bytes);
      const names = await readdir(join(recDir, recordingId));
      expect(names.sort()).toEqual(['000000.rfb', '000001.rfb', RECORDING_MANIFEST_NAME]);
      expect((await stat(join(recDir, recordingId, '000001.rfb'))).size).toBeGreaterThan(0);
      pair.agent.close(1000);
    } finally {
      await relay.close();
    }
    // With room again, a restart's sweep does not report the already reported recording as crashed.
    mountCommand('-o', 'remount,size=64m', at);
    const again = await startRelay(testRelayConfig({ eventsUrl: sink.url }, { RECORDING_DIR: recDir }));
    try {
      expect(await again.recordingSweep).toBe(0);
      expect(
        sink.events.filter((e) => e.type === 'recording_finished' && e.recordingId === recordingId),
      ).toHaveLength(1);
    } finally {
      await again.close();
    }
  });
});

describe('relay: recording limits', () => {
  let sink: EventSink;
  let dir: string;
  let relay: RelayServer;
  let store: FsRecordingStore;

  beforeAll(async () => {
    sink = await startEventSink();
    dir = await mkdtemp(join(tmpdir(), 'relay-rec-limits-'));
    store = new FsRecordingStore(join(dir, 'recordings'));
    relay = await startRelay(
      testRelayConfig(
        { eventsUrl: sink.url },
        { RECORDING_DIR: join(dir, 'recordings'), RELAY_MAX_PAYLOAD_BYTES: String(8 * 1024 * 1024) },
      ),
    );
  });
  afterAll(async () => {
    await relay.close();
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a store that does not answer fails the recording after the store timeout (required: 4016, nothing forwarded)', async () => {
    const realPut = relay.recordings.store.put.bind(relay.recordings.store);
    relay.recordings.storeTimeoutMs = 300;
    relay.recordings.store.put = () => new Promise<void>(() => undefined); // hung (an NFS server gone)
    try {
      const { agent, tech, sid } = await openRecordedPair(relay, 'screen', claim());
      let techGot = 0;
      tech.on('message', () => techGot++);
      const techClosed = closed(tech);
      agent.send(Buffer.alloc(1000, 1));
      expect((await techClosed).code).toBe(RelayCloseCode.RecordingFailed);
      expect(techGot).toBe(0);
      await until(() => of(sink.events, sid, 'recording_finished').length === 1, 10_000);
      expect(of(sink.events, sid, 'recording_failed')).toEqual([
        expect.objectContaining({ failure: 'unavailable' }),
      ]);
    } finally {
      relay.recordings.store.put = realPut;
      relay.recordings.storeTimeoutMs = 30_000;
    }
  });

  it('a required recording that reaches its chunk limit ends the session with 4016', async () => {
    relay.recordings.maxChunks = 1;
    try {
      const { agent, tech, sid } = await openRecordedPair(relay, 'screen', claim());
      const agentClosed = closed(agent);
      const techClosed = closed(tech);
      const piece = Buffer.alloc(512 * 1024, 3);
      // Chunk 0 closes at 8 MiB; the next byte would need chunk 1.
      for (let i = 0; i < 20; i++) agent.send(piece);
      expect((await techClosed).code).toBe(RelayCloseCode.RecordingFailed);
      expect((await agentClosed).code).toBe(RelayCloseCode.RecordingFailed);
      await until(() => of(sink.events, sid, 'recording_finished').length === 1, 30_000);
      expect(of(sink.events, sid, 'recording_finished')[0]).toMatchObject({
        complete: false,
        incompleteReason: 'too_long',
        chunks: 1,
      });
    } finally {
      relay.recordings.maxChunks = 100_000;
    }
  });

  it('records a 4 MiB shell frame of control bytes whole, as events of at most 64 KiB each, and marks the recording open meanwhile', async () => {
    const { agent, tech, sid } = await openRecordedPair(relay, 'shell', claim());
    await until(() => of(sink.events, sid, 'recording_started').length === 1);
    const recordingId = of(sink.events, sid, 'recording_started')[0].recordingId;
    const frame = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < frame.length; i++) frame[i] = i % 32; // control bytes: 6× when JSON-escaped
    await sendAll(agent, tech, [frame, Buffer.from('after')]);
    expect(await store.get(recordingId, RECORDING_OPEN_MARKER)).not.toBeNull();
    const techClosed = closed(tech);
    agent.close(1000);
    await techClosed;
    await until(() => of(sink.events, sid, 'recording_finished').length === 1, 30_000);
    expect(await store.get(recordingId, RECORDING_OPEN_MARKER)).toBeNull();
    const manifest = await readManifest(store, recordingId);
    const lines = (await readChunks(store, manifest)).toString('utf8').trimEnd().split('\n');
    const events = lines.slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    expect(events.every(([, code, data]) => code === 'o' && data.length <= 64 * 1024)).toBe(true);
    expect(events.length).toBeGreaterThanOrEqual(65);
    expect(events.map(([, , data]) => data).join('')).toBe(`${frame.toString('utf8')}after`);
  });
});
