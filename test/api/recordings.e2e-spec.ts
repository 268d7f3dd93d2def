import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { recordingChainLink, recordingChainSeed } from '../../contracts/node/recording-chain';
import {
  FsRecordingStore,
  RecordingStoreError,
  type RecordingStore,
} from '../../contracts/node/recording-store';
import { deriveRelayKey } from '../../contracts/node/relay-keys';
import { signRelayRequest } from '../../contracts/node/relay-signature';
import { RECORDING_MANIFEST_NAME } from '../../contracts/recording/format';
import { RecordingIngestService } from '../../src/recordings/recording-ingest.service';
import { RecordingIntegrityService } from '../../src/recordings/recording-integrity.service';
import { RecordingStoreRef } from '../../src/recordings/recording-store.provider';
import { RecordingsService } from '../../src/recordings/recordings.service';
import { RelayTokenService } from '../../src/relay-link/relay-token.service';
import {
  insertRemoteSession,
  recordingEvents,
  screenChunk,
  writeRecording,
  type BuiltRecording,
} from '../support/recording-fixtures';
import { TEST_RELAY_SECRET, createTestApp, type TestApp } from '../support/test-app';

jest.setTimeout(120_000);

/** Recordings on the real portal, real PostgreSQL and a real folder store the relay would write. */
describe('recordings API (real portal, PostgreSQL, folder store)', () => {
  const signing = deriveRelayKey(TEST_RELAY_SECRET, 'signing');
  const dir = mkdtempSync(join(tmpdir(), 'qs-recordings-'));
  const store = new FsRecordingStore(dir);
  let t: TestApp;
  let db: DataSource;
  let admin: TestAgent;
  let techA: TestAgent;
  let techB: TestAgent;
  let auditor: TestAgent;
  const ids: Record<string, string> = {};

  const postEvents = async (events: Record<string, unknown>[]): Promise<void> => {
    const body = JSON.stringify({ events });
    await t
      .http()
      .post('/api/relay/events')
      .set('content-type', 'application/json')
      .set(signRelayRequest(signing, 'events', body))
      .send(body)
      .expect(200);
    await t.app.get(RecordingIngestService).settled();
    await t.app.get(RecordingIntegrityService).idle();
  };

  /** A finished three-chunk screen recording of a session of `technician`, delivered as the relay would. */
  const recorded = async (technician: string, hostname = 'recorded-host'): Promise<BuiltRecording> => {
    const { sessionId, deviceId } = await insertRemoteSession(db, technician, { hostname });
    const chunks = [0, 1, 2].map((i) =>
      screenChunk([{ atMs: i * 1000, data: Buffer.from(`frame ${i} of ${sessionId}`) }]),
    );
    const r = await writeRecording(store, { sessionId, technicianId: technician, deviceId, chunks });
    await postEvents(recordingEvents(r));
    return r;
  };

  beforeAll(async () => {
    t = await createTestApp({ RECORDING_DIR: dir });
    db = t.app.get(DataSource);
    admin = await t.loginAs();
    for (const role of ['techA', 'techB', 'auditor'] as const) {
      const res = await admin
        .post('/api/users')
        .send({
          email: `${role.toLowerCase()}@example.test`,
          displayName: `The ${role}`,
          role: role === 'auditor' ? 'auditor' : 'technician',
          password: `${role}-password-123`,
        })
        .expect(201);
      ids[role] = res.body.id ?? res.body.user?.id;
    }
    techA = await t.loginAs('techa@example.test', 'techA-password-123');
    techB = await t.loginAs('techb@example.test', 'techB-password-123');
    auditor = await t.loginAs('auditor@example.test', 'auditor-password-123');
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a row from the relay events, verifies it, and shows it to its technician, admins and auditors only', async () => {
    const r = await recorded(ids.techA, 'front-desk');
    const mine = await techA.get(`/api/recordings/${r.recordingId}`).expect(200);
    expect(mine.body).toMatchObject({
      id: r.recordingId,
      sessionId: r.sessionId,
      channel: 'screen',
      status: 'complete',
      chunks: 3,
      bytes: r.bytes,
      technicianId: ids.techA,
      technician: 'The techA',
      deviceName: 'front-desk',
      integrity: 'verified',
      legalHold: false,
    });
    expect(mine.body.expiresAt).toEqual(expect.any(String));
    await auditor.get(`/api/recordings/${r.recordingId}`).expect(200);
    await admin.get(`/api/recordings/${r.recordingId}`).expect(200);
    const other = await techB.get(`/api/recordings/${r.recordingId}`);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('recording_not_found');
    expect((await techB.get(`/api/remote-sessions/${r.sessionId}/recordings`)).status).toBe(404);
    const forSession = await techA.get(`/api/remote-sessions/${r.sessionId}/recordings`).expect(200);
    expect(forSession.body.items.map((x: { id: string }) => x.id)).toEqual([r.recordingId]);
    expect(JSON.stringify(mine.body)).not.toContain(dir);
  });

  it('lists with filters and paging; a technician sees only their own, an auditor all', async () => {
    const b1 = await recorded(ids.techB);
    const b2 = await recorded(ids.techB);
    const listB = await techB.get('/api/recordings').expect(200);
    expect(listB.body.items.map((x: { id: string }) => x.id).sort()).toEqual(
      [b1.recordingId, b2.recordingId].sort(),
    );
    expect(listB.body).toMatchObject({ total: 2, totalCapped: false });
    const all = await auditor.get('/api/recordings').expect(200);
    expect(all.body.total).toBeGreaterThanOrEqual(3);
    const page = await admin.get(`/api/recordings?technicianId=${ids.techB}&limit=1&offset=1`).expect(200);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.total).toBe(2);
    const bySession = await admin.get(`/api/recordings?sessionId=${b1.sessionId}`).expect(200);
    expect(bySession.body.items.map((x: { id: string }) => x.id)).toEqual([b1.recordingId]);
    const none = await admin.get('/api/recordings?status=failed&channel=shell').expect(200);
    expect(none.body).toEqual({ items: [], total: 0, totalCapped: false });
    const bad = await admin.get('/api/recordings?status=weird&limit=500');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
  });

  it('serves playback and chunks byte for byte, not cached, and audits the view once per window', async () => {
    const r = await recorded(ids.techA);
    const play = await techA.get(`/api/recordings/${r.recordingId}/playback`).expect(200);
    expect(play.body).toMatchObject({ playableChunks: 3, revealKeys: false });
    expect(play.body.chunks).toHaveLength(3);
    await techA.get(`/api/recordings/${r.recordingId}/playback`).expect(200);
    for (let i = 0; i < 3; i++) {
      const res = await techA
        .get(`/api/recordings/${r.recordingId}/chunks/${i}`)
        .buffer(true)
        .parse((resp, cb) => {
          const parts: Buffer[] = [];
          resp.on('data', (c: Buffer) => parts.push(c));
          resp.on('end', () => cb(null, Buffer.concat(parts)));
        })
        .expect(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(res.headers['cache-control']).toBe('private, no-store');
      expect(Buffer.compare(res.body as Buffer, r.chunks[i])).toBe(0);
    }
    const past = await techA.get(`/api/recordings/${r.recordingId}/chunks/3`);
    expect(past.status).toBe(404);
    expect(past.body.code).toBe('recording_not_found');
    const viewed = await db.query<{ actor_id: string; details: { recordingId: string } }[]>(
      `SELECT actor_id, details FROM audit_events WHERE action = 'recording.viewed' AND details->>'recordingId' = $1`,
      [r.recordingId],
    );
    expect(viewed).toEqual([
      { actor_id: ids.techA, details: expect.objectContaining({ recordingId: r.recordingId }) },
    ]);
  });

  it('audits a chunk fetched without the playback call (recording.viewed, once per window)', async () => {
    const r = await recorded(ids.techA);
    await auditor.get(`/api/recordings/${r.recordingId}/chunks/0`).expect(200);
    await auditor.get(`/api/recordings/${r.recordingId}/chunks/1`).expect(200);
    const viewed = await db.query<{ actor_id: string }[]>(
      `SELECT actor_id FROM audit_events WHERE action = 'recording.viewed' AND details->>'recordingId' = $1`,
      [r.recordingId],
    );
    expect(viewed).toEqual([{ actor_id: ids.auditor }]);
  });

  it('reads and chain-checks the manifest once for a player, again after a new signed head', async () => {
    const { sessionId, deviceId } = await insertRemoteSession(db, ids.techA);
    const r = await writeRecording(store, {
      sessionId,
      technicianId: ids.techA,
      deviceId,
      chunks: [0, 1, 2].map((i) => screenChunk([{ atMs: i, data: Buffer.from(`cached ${i}`) }])),
    });
    const [started, progress, finished] = recordingEvents(r);
    await postEvents([started, { ...progress, chunks: 2, head: r.manifest.chunks[1].chain }]);
    const ref = t.app.get<RecordingStoreRef, { store: RecordingStore }>(RecordingStoreRef);
    const real = ref.store;
    const manifestReads: string[] = [];
    const counting: RecordingStore = Object.create(real);
    counting.get = (recordingId: string, name: string) => {
      if (recordingId === r.recordingId && name === RECORDING_MANIFEST_NAME) manifestReads.push(name);
      return real.get(recordingId, name);
    };
    ref.store = counting;
    try {
      expect(
        (await techA.get(`/api/recordings/${r.recordingId}/playback`).expect(200)).body.playableChunks,
      ).toBe(2);
      await techA.get(`/api/recordings/${r.recordingId}/chunks/0`).expect(200);
      await techA.get(`/api/recordings/${r.recordingId}/chunks/1`).expect(200);
      expect(manifestReads).toHaveLength(1);
      await postEvents([finished]);
      const reads = manifestReads.length;
      await techA.get(`/api/recordings/${r.recordingId}/chunks/2`).expect(200);
      expect(manifestReads.length).toBe(reads + 1);
    } finally {
      ref.store = real;
    }
  });

  it('shares one check between concurrent verify requests of one recording', async () => {
    const r = await recorded(ids.techA);
    const integrity = t.app.get(RecordingIntegrityService);
    const check = jest.spyOn(integrity, 'check');
    try {
      const both = await Promise.all([
        auditor.post(`/api/recordings/${r.recordingId}/verify`).send({}),
        admin.post(`/api/recordings/${r.recordingId}/verify`).send({}),
        integrity.verify(r.recordingId),
      ]);
      expect(both[0].status).toBe(201);
      expect(both[1].status).toBe(201);
      expect(both[2]).toEqual({ brokenAt: null, reason: null });
      expect(check.mock.calls.length).toBeLessThan(3);
    } finally {
      check.mockRestore();
    }
  });

  it('refuses a chunk entry larger than a chunk may be (chunk_altered) without reading the object', async () => {
    const { sessionId, deviceId } = await insertRemoteSession(db, ids.techA);
    const r = await writeRecording(store, {
      sessionId,
      technicianId: ids.techA,
      deviceId,
      chunks: [screenChunk([{ atMs: 0, data: Buffer.from('small') }])],
    });
    // The relay's own entry claims 64 MiB (a chain and head consistent with that claim).
    const huge = 64 * 1024 * 1024;
    const sha = Buffer.from(r.manifest.chunks[0].sha256, 'hex');
    const chain = recordingChainLink(recordingChainSeed(r.recordingId), 0, sha, huge).toString('hex');
    const manifest = { ...r.manifest, chunks: [{ ...r.manifest.chunks[0], bytes: huge, chain }] };
    writeFileSync(join(dir, r.recordingId, RECORDING_MANIFEST_NAME), JSON.stringify(manifest));
    await postEvents(recordingEvents({ ...r, head: chain, bytes: huge }));
    const ref = t.app.get<RecordingStoreRef, { store: RecordingStore }>(RecordingStoreRef);
    const real = ref.store;
    const chunkReads: string[] = [];
    const counting: RecordingStore = Object.create(real);
    counting.get = (recordingId: string, name: string) => {
      if (recordingId === r.recordingId && name !== RECORDING_MANIFEST_NAME) chunkReads.push(name);
      return real.get(recordingId, name);
    };
    ref.store = counting;
    try {
      const res = await admin.get(`/api/recordings/${r.recordingId}/chunks/0`);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('recording_broken');
      const v = await admin.post(`/api/recordings/${r.recordingId}/verify`).send({}).expect(201);
      expect(v.body).toMatchObject({ integrity: 'broken', brokenAt: 0, brokenReason: 'chunk_altered' });
      expect(chunkReads).toEqual([]);
    } finally {
      ref.store = real;
    }
  });

  it('refuses an altered chunk with 409 recording_broken, and verify says broken at that index', async () => {
    const r = await recorded(ids.techA);
    writeFileSync(join(dir, r.recordingId, r.manifest.chunks[1].name), Buffer.from('tampered bytes!'));
    await techA.get(`/api/recordings/${r.recordingId}/chunks/0`).expect(200);
    const res = await techA.get(`/api/recordings/${r.recordingId}/chunks/1`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('recording_broken');
    expect(res.headers['x-recording-broken-at']).toBe('1');
    const verified = await auditor.post(`/api/recordings/${r.recordingId}/verify`).send({}).expect(201);
    expect(verified.body).toMatchObject({ integrity: 'broken', brokenAt: 1, brokenReason: 'chunk_altered' });
    const play = await techA.get(`/api/recordings/${r.recordingId}/playback`).expect(200);
    expect(play.body.playableChunks).toBe(1);
    expect((await techA.post(`/api/recordings/${r.recordingId}/verify`).send({})).body.code).toBe(
      'role_not_allowed',
    );
  });

  it('finds a deleted chunk (chunk_missing) and a forged manifest chain (head_mismatch)', async () => {
    const gone = await recorded(ids.techA);
    unlinkSync(join(dir, gone.recordingId, gone.manifest.chunks[2].name));
    const v1 = await admin.post(`/api/recordings/${gone.recordingId}/verify`).send({}).expect(201);
    expect(v1.body).toMatchObject({ integrity: 'broken', brokenAt: 2, brokenReason: 'chunk_missing' });

    const forged = await recorded(ids.techA);
    // Someone with write access to the store drops the last chunk and rewrites a consistent chain:
    // the manifest is self-consistent but no longer reaches the head the relay signed.
    const shorter = await writeRecording(new FsRecordingStore(mkdtempSync(join(tmpdir(), 'qs-forge-'))), {
      recordingId: forged.recordingId,
      sessionId: forged.sessionId,
      technicianId: ids.techA,
      deviceId: null,
      chunks: forged.chunks.slice(0, 2).concat([Buffer.from('replacement')]),
    });
    writeFileSync(join(dir, forged.recordingId, RECORDING_MANIFEST_NAME), JSON.stringify(shorter.manifest));
    writeFileSync(join(dir, forged.recordingId, shorter.manifest.chunks[2].name), Buffer.from('replacement'));
    const v2 = await admin.post(`/api/recordings/${forged.recordingId}/verify`).send({}).expect(201);
    expect(v2.body).toMatchObject({ integrity: 'broken', brokenReason: 'head_mismatch' });
    const play = await admin.get(`/api/recordings/${forged.recordingId}/playback`).expect(200);
    expect(play.body.playableChunks).toBeLessThan(3);
  });

  it('refuses chunks appended past the signed head of a finished recording (head_mismatch), chain recomputed or not', async () => {
    const r = await recorded(ids.techA);
    // Someone with write access to the store appends a fourth chunk and rewrites a consistent chain.
    const extra = screenChunk([{ atMs: 3000, data: Buffer.from('appended afterwards') }]);
    const longer = await writeRecording(new FsRecordingStore(mkdtempSync(join(tmpdir(), 'qs-append-'))), {
      recordingId: r.recordingId,
      sessionId: r.sessionId,
      technicianId: ids.techA,
      deviceId: null,
      chunks: [...r.chunks, extra],
    });
    writeFileSync(join(dir, r.recordingId, RECORDING_MANIFEST_NAME), JSON.stringify(longer.manifest));
    writeFileSync(join(dir, r.recordingId, longer.manifest.chunks[3].name), extra);
    expect(longer.manifest.chunks).toHaveLength(4);
    const play = await admin.get(`/api/recordings/${r.recordingId}/playback`).expect(200);
    expect(play.body.playableChunks).toBe(3);
    expect(play.body.chunks).toHaveLength(3);
    const appended = await admin.get(`/api/recordings/${r.recordingId}/chunks/3`);
    expect(appended.status).toBe(409);
    expect(appended.body.code).toBe('recording_broken');
    expect(appended.headers['x-recording-broken-at']).toBe('3');
    await admin.get(`/api/recordings/${r.recordingId}/chunks/2`).expect(200);
    const v = await admin.post(`/api/recordings/${r.recordingId}/verify`).send({}).expect(201);
    expect(v.body).toMatchObject({ integrity: 'broken', brokenAt: 3, brokenReason: 'head_mismatch' });
  });

  it('while recording, serves only the chunks the signed head covers', async () => {
    const { sessionId, deviceId } = await insertRemoteSession(db, ids.techA);
    const r = await writeRecording(store, {
      sessionId,
      technicianId: ids.techA,
      deviceId,
      chunks: [0, 1].map((i) => screenChunk([{ atMs: i, data: Buffer.from(`live ${i}`) }])),
    });
    const [started, progress] = recordingEvents(r);
    await postEvents([
      started,
      { ...progress, chunks: 1, bytes: r.chunks[0].length, head: r.manifest.chunks[0].chain },
    ]);
    const play = await techA.get(`/api/recordings/${r.recordingId}/playback`).expect(200);
    expect(play.body.recording.status).toBe('recording');
    expect(play.body.playableChunks).toBe(1);
    expect(play.body.chunks).toHaveLength(1);
    await techA.get(`/api/recordings/${r.recordingId}/chunks/0`).expect(200);
    const unsigned = await techA.get(`/api/recordings/${r.recordingId}/chunks/1`);
    expect(unsigned.status).toBe(404);
    expect(unsigned.body.code).toBe('recording_not_found');
  });

  it('never verifies a failed recording (nothing signed) whose chunks were written afterwards', async () => {
    const { sessionId } = await insertRemoteSession(db, ids.techA);
    const recordingId = randomUUID();
    const at = new Date().toISOString();
    const base = { sessionId, channel: 'screen', recordingId, at };
    await postEvents([
      {
        ...base,
        id: randomUUID(),
        type: 'recording_started',
        mode: 'optional',
        technicianId: null,
        deviceId: null,
      },
      { ...base, id: randomUUID(), type: 'recording_failed', mode: 'optional', failure: 'full' },
      {
        ...base,
        id: randomUUID(),
        type: 'recording_finished',
        chunks: 0,
        bytes: 0,
        head: recordingChainSeed(recordingId).toString('hex'),
        complete: false,
        incompleteReason: 'store_failed',
        durationMs: 10,
      },
    ]);
    await writeRecording(store, {
      recordingId,
      sessionId,
      technicianId: ids.techA,
      deviceId: null,
      chunks: [screenChunk([{ atMs: 0, data: Buffer.from('filled in later') }])],
    });
    const v = await admin.post(`/api/recordings/${recordingId}/verify`).send({}).expect(201);
    expect(v.body).toMatchObject({
      status: 'failed',
      integrity: 'broken',
      brokenAt: 0,
      brokenReason: 'head_mismatch',
    });
    const play = await admin.get(`/api/recordings/${recordingId}/playback`).expect(200);
    expect(play.body.playableChunks).toBe(0);
    expect((await admin.get(`/api/recordings/${recordingId}/chunks/0`)).status).not.toBe(200);
  });

  it("answers another technician's playback, chunk and export with 404 recording_not_found", async () => {
    const r = await recorded(ids.techA);
    for (const path of ['playback', 'chunks/0']) {
      const res = await techB.get(`/api/recordings/${r.recordingId}/${path}`);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('recording_not_found');
    }
    // Export is for admins; a technician is refused by role before the recording is looked at.
    const exp = await techB.get(`/api/recordings/${r.recordingId}/export.zip`);
    expect(exp.status).toBe(403);
    expect(exp.body.code).toBe('role_not_allowed');
  });

  it('answers garbage and traversal ids with stable codes and no store path', async () => {
    for (const id of ['..%2F..%2Fetc', 'not-a-uuid', '00000000-0000-4000-8000-000000000000', 'ABC']) {
      const res = await admin.get(`/api/recordings/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('recording_not_found');
      expect(JSON.stringify(res.body)).not.toContain(dir);
    }
    const r = await recorded(ids.techA);
    for (const index of ['-1', '1.5', '..%2Fmanifest.json', '9999999']) {
      const res = await admin.get(`/api/recordings/${r.recordingId}/chunks/${index}`);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const bad = await admin.get('/api/remote-sessions/not-a-uuid/recordings');
    expect(bad.status).toBe(400);
  });

  it('exports a zip with the manifest, every chunk and recording.json (admins only, audited)', async () => {
    const r = await recorded(ids.techA, 'exported-host');
    expect((await auditor.get(`/api/recordings/${r.recordingId}/export.zip`)).body.code).toBe(
      'role_not_allowed',
    );
    const res = await admin
      .get(`/api/recordings/${r.recordingId}/export.zip`)
      .buffer(true)
      .parse((resp, cb) => {
        const parts: Buffer[] = [];
        resp.on('data', (c: Buffer) => parts.push(c));
        resp.on('end', () => cb(null, Buffer.concat(parts)));
      })
      .expect(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const file = join(dir, '..', `export-${r.recordingId}.zip`);
    writeFileSync(file, res.body as Buffer);
    try {
      const listing = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n').sort();
      expect(listing).toEqual(
        [
          'chunks/000000.rfb',
          'chunks/000001.rfb',
          'chunks/000002.rfb',
          'manifest.json',
          'recording.json',
        ].sort(),
      );
      const chunk1 = execFileSync('unzip', ['-p', file, 'chunks/000001.rfb']);
      expect(Buffer.compare(chunk1, r.chunks[1])).toBe(0);
      const json = JSON.parse(execFileSync('unzip', ['-p', file, 'recording.json'], { encoding: 'utf8' }));
      expect(json.recording).toMatchObject({
        id: r.recordingId,
        technician: 'The techA',
        deviceName: 'exported-host',
        integrity: 'verified',
      });
    } finally {
      rmSync(file, { force: true });
    }
    const audited = await db.query(
      `SELECT actor_id FROM audit_events WHERE action = 'recording.exported' AND details->>'recordingId' = $1`,
      [r.recordingId],
    );
    expect(audited).toHaveLength(1);
  });

  it('ends an export early when a store read fails mid-zip, and the portal keeps serving', async () => {
    const r = await recorded(ids.techA);
    const ref = t.app.get<RecordingStoreRef, { store: RecordingStore }>(RecordingStoreRef);
    const real = ref.store;
    const failing: RecordingStore = Object.create(real);
    failing.get = async (recordingId: string, name: string) => {
      if (recordingId === r.recordingId && name === r.manifest.chunks[1].name)
        throw new RecordingStoreError('io', 'reading a chunk: EIO');
      return real.get(recordingId, name);
    };
    ref.store = failing;
    try {
      const outcome = await admin
        .get(`/api/recordings/${r.recordingId}/export.zip`)
        .buffer(true)
        .parse((resp, cb) => {
          const parts: Buffer[] = [];
          resp.on('data', (c: Buffer) => parts.push(c));
          resp.on('end', () => cb(null, Buffer.concat(parts)));
          resp.on('error', (err) => cb(err, null));
        })
        .then(
          () => 'completed',
          (err: Error) => err.message,
        );
      expect(outcome).not.toBe('completed');
    } finally {
      ref.store = real;
    }
    await admin.get(`/api/recordings/${r.recordingId}`).expect(200);
    await admin.get(`/api/recordings/${r.recordingId}/export.zip`).expect(200);
  });

  it('puts a recording on legal hold and releases it (admins only, audited with the note)', async () => {
    const r = await recorded(ids.techA);
    const refused = await techA.put(`/api/recordings/${r.recordingId}/legal-hold`).send({ hold: true });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('role_not_allowed');
    const held = await admin
      .put(`/api/recordings/${r.recordingId}/legal-hold`)
      .send({ hold: true, note: 'Case 2026-17' })
      .expect(200);
    expect(held.body).toMatchObject({ legalHold: true, legalHoldNote: 'Case 2026-17', expiresAt: null });
    const listed = await admin.get('/api/recordings?legalHold=true').expect(200);
    expect(listed.body.items.map((x: { id: string }) => x.id)).toContain(r.recordingId);
    await admin
      .put(`/api/recordings/${r.recordingId}/legal-hold`)
      .send({ hold: false, note: 'Closed' })
      .expect(200);
    const lines = await db.query<{ action: string; note: string }[]>(
      `SELECT action, details->>'note' AS note FROM audit_events
        WHERE action LIKE 'recording.legal_hold%' AND details->>'recordingId' = $1 ORDER BY id`,
      [r.recordingId],
    );
    expect(lines).toEqual([
      { action: 'recording.legal_hold_set', note: 'Case 2026-17' },
      { action: 'recording.legal_hold_released', note: 'Closed' },
    ]);
    const tooLong = await admin
      .put(`/api/recordings/${r.recordingId}/legal-hold`)
      .send({ hold: true, note: 'x'.repeat(501) });
    expect(tooLong.status).toBe(400);
  });

  it('writes no legal-hold audit line when the hold matched nothing (purge started meanwhile)', async () => {
    const r = await recorded(ids.techA);
    const service = t.app.get(RecordingsService);
    const visible = service.visible.bind(service);
    const spy = jest.spyOn(service, 'visible').mockImplementationOnce(async (user, id) => {
      const row = await visible(user, id);
      await db.query(`UPDATE recordings SET purge_started_at = now() WHERE id = $1`, [id]);
      return row;
    });
    try {
      const res = await admin.put(`/api/recordings/${r.recordingId}/legal-hold`).send({ hold: true });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('recording_not_found');
    } finally {
      spy.mockRestore();
    }
    const lines = await db.query(
      `SELECT 1 FROM audit_events WHERE action LIKE 'recording.legal_hold%' AND details->>'recordingId' = $1`,
      [r.recordingId],
    );
    expect(lines).toEqual([]);
  });

  it('tolerates events out of order, never moves the head back, and drops a recording of an unknown session', async () => {
    const { sessionId, deviceId } = await insertRemoteSession(db, ids.techA);
    const r = await writeRecording(store, {
      sessionId,
      technicianId: ids.techA,
      deviceId,
      chunks: [
        screenChunk([{ atMs: 0, data: Buffer.from('a') }]),
        screenChunk([{ atMs: 1, data: Buffer.from('b') }]),
      ],
    });
    const [started, progress, finished] = recordingEvents(r);
    await postEvents([finished]);
    await postEvents([{ ...progress, chunks: 1, head: r.manifest.chunks[0].chain }, started]);
    const row = await admin.get(`/api/recordings/${r.recordingId}`).expect(200);
    expect(row.body).toMatchObject({ status: 'complete', chunks: 2, integrity: 'verified' });

    const stranger = await writeRecording(store, {
      sessionId: '11111111-1111-4111-8111-111111111111',
      technicianId: null,
      deviceId: null,
      chunks: [Buffer.from('x')],
    });
    await postEvents(recordingEvents(stranger));
    expect((await admin.get(`/api/recordings/${stranger.recordingId}`)).status).toBe(404);
    const failed = await db.query(
      `SELECT 1 FROM audit_events WHERE action = 'recording.finished' AND details->>'recordingId' = $1`,
      [stranger.recordingId],
    );
    expect(failed).toEqual([]);
  });

  it("refuses a signed event naming one session with another session's recording id", async () => {
    const victim = await recorded(ids.techA);
    const { sessionId: other } = await insertRemoteSession(db, ids.techB);
    const [, progress, finished] = recordingEvents(victim);
    await postEvents([
      { ...progress, id: randomUUID(), sessionId: other, chunks: 9, bytes: 9, head: 'a'.repeat(64) },
      {
        ...finished,
        id: randomUUID(),
        sessionId: other,
        chunks: 9,
        head: 'a'.repeat(64),
        complete: false,
        incompleteReason: 'relay_crashed',
      },
      { ...progress, id: randomUUID(), channel: 'shell', chunks: 9, bytes: 9, head: 'a'.repeat(64) },
    ]);
    const row = await admin.get(`/api/recordings/${victim.recordingId}`).expect(200);
    expect(row.body).toMatchObject({
      sessionId: victim.sessionId,
      channel: 'screen',
      status: 'complete',
      chunks: 3,
      integrity: 'verified',
    });
    const noted = await db.query(
      `SELECT 1 FROM audit_events WHERE action = 'recording.finished' AND target_id = $1`,
      [other],
    );
    expect(noted).toEqual([]);
  });

  it('marks a recording failed when the store refused everything, and audits recording.failed', async () => {
    const { sessionId } = await insertRemoteSession(db, ids.techA);
    const recordingId = '22222222-2222-4222-8222-222222222222';
    const at = new Date().toISOString();
    const seed = recordingChainSeed(recordingId).toString('hex');
    const base = { sessionId, channel: 'shell', recordingId, at };
    await postEvents([
      {
        ...base,
        id: randomUUID(),
        type: 'recording_started',
        mode: 'optional',
        technicianId: null,
        deviceId: null,
      },
      { ...base, id: randomUUID(), type: 'recording_failed', mode: 'optional', failure: 'full' },
      {
        ...base,
        id: randomUUID(),
        type: 'recording_finished',
        chunks: 0,
        bytes: 0,
        head: seed,
        complete: false,
        incompleteReason: 'store_failed',
        durationMs: 10,
      },
    ]);
    const row = await admin.get(`/api/recordings/${recordingId}`).expect(200);
    expect(row.body).toMatchObject({ status: 'failed', failure: 'full', incompleteReason: 'store_failed' });
    const lines = await db.query(
      `SELECT actor_type FROM audit_events WHERE action = 'recording.failed' AND details->>'recordingId' = $1`,
      [recordingId],
    );
    expect(lines).toEqual([{ actor_type: 'relay' }]);
  });

  it('answers the settings to every role, without a store path', async () => {
    const res = await techA.get('/api/recordings/settings').expect(200);
    expect(res.body).toEqual({
      policy: 'optional',
      strict: false,
      retentionDays: 30,
      maxTotalGb: null,
      revealKeys: false,
      store: 'fs',
    });
  });

  it('mints the rec claim (mode optional) on the recorded channels of a session that asked for recording', async () => {
    const tokens = t.app.get(RelayTokenService);
    const { sessionId, deviceId } = await insertRemoteSession(db, ids.techA);
    const minted = await tokens.mintSessionTokens(sessionId, ['screen', 'shell', 'files'], {
      recordingEnabled: true,
      technicianId: ids.techA,
      deviceId,
    });
    for (const side of [minted.agent, minted.tech]) {
      expect(decodeJwt(side.screen).rec).toEqual({ mode: 'optional', tech: ids.techA, device: deviceId });
      expect(decodeJwt(side.shell).rec).toEqual({ mode: 'optional', tech: ids.techA, device: deviceId });
      expect(decodeJwt(side.files).rec).toBeUndefined();
    }
    const plain = await tokens.mintSessionTokens(sessionId, ['screen'], {
      recordingEnabled: false,
      technicianId: ids.techA,
      deviceId,
    });
    expect(decodeJwt(plain.tech.screen).rec).toBeUndefined();
  });
});

describe('RECORDING_POLICY=off (real portal)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RECORDING_POLICY: 'off' });
  });
  afterAll(() => t?.close());

  it('refuses a session that asks to be recorded with 400 recording_off, and says so in the settings', async () => {
    const admin = await t.loginAs();
    const { deviceId } = await insertRemoteSession(t.app.get(DataSource), null);
    const res = await admin
      .post('/api/remote-sessions')
      .send({ deviceId, type: 'attended', protocol: 'vnc', recordingEnabled: true });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 'recording_off',
      message: expect.stringContaining('RECORDING_POLICY=off'),
    });
    expect((await admin.get('/api/recordings/settings').expect(200)).body.policy).toBe('off');
  });
});
