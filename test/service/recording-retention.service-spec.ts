import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { FsRecordingStore } from '../../contracts/node/recording-store';
import { Clock } from '../../src/common/clock';
import { RecordingIngestService } from '../../src/recordings/recording-ingest.service';
import { RecordingIntegrityService } from '../../src/recordings/recording-integrity.service';
import { RecordingRetentionJob } from '../../src/recordings/recording-retention.job';
import { RecordingSweepJob } from '../../src/recordings/recording-sweep.job';
import { RecordingsModule } from '../../src/recordings/recordings.module';
import { RelayEventsService } from '../../src/relay-link/relay-events.service';
import { RelayTokenService } from '../../src/relay-link/relay-token.service';
import { parseRelayEventBatch } from '../../contracts/relay-events';
import {
  insertRemoteSession,
  recordingEvents,
  screenChunk,
  writeRecording,
  type BuiltRecording,
} from '../support/recording-fixtures';
import { Recordings1763800000000 } from '../../migrations/1763800000000-Recordings';
import { withMigrationsUpTo } from '../support/migrations';
import { UsersModule } from '../../src/users/users.module';
import { createServiceModule, type ServiceModule } from '../support/service-module';

const DAY_MS = 86_400_000;

/**
 * Recording retention on a real PostgreSQL and a real folder store, with the clock moved forward:
 * old recordings go (objects, then the row), held and live ones stay, a half-done purge is finished.
 */
describe('Recording retention (service tier)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qs-retention-'));
  const store = new FsRecordingStore(dir);
  let t: ServiceModule;
  let job: RecordingRetentionJob;
  let now = new Date();

  beforeAll(async () => {
    t = await createServiceModule([RecordingsModule, UsersModule], {
      RECORDING_DIR: dir,
      RECORDING_RETENTION_DAYS: '30',
      RECORDING_POLICY: 'required',
    });
    job = t.app.get(RecordingRetentionJob);
    t.app.get(Clock).now = () => now;
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const deliver = async (events: Record<string, unknown>[]): Promise<void> => {
    await t.app.get(RelayEventsService).accept(parseRelayEventBatch({ events }));
    await t.app.get(RecordingIngestService).settled();
  };

  const recording = async (opts: { finished?: boolean } = {}): Promise<BuiltRecording> => {
    const { sessionId, deviceId } = await insertRemoteSession(t.db, t.admin.id);
    const r = await writeRecording(store, {
      sessionId,
      technicianId: t.admin.id,
      deviceId,
      chunks: [screenChunk([{ atMs: 0, data: Buffer.from(`data of ${sessionId}`) }])],
    });
    const events = recordingEvents(r);
    await deliver(opts.finished === false ? events.slice(0, 2) : events);
    return r;
  };

  const rowOf = async (id: string) =>
    (await t.db.query<{ id: string }[]>(`SELECT id FROM recordings WHERE id = $1`, [id]))[0];

  it('removes an old recording (objects and row), keeps a held one and a live one, and audits the purge', async () => {
    const old = await recording();
    const held = await recording();
    const live = await recording({ finished: false });
    await t.db.query(`UPDATE recordings SET legal_hold = true WHERE id = $1`, [held.recordingId]);

    now = new Date(Date.now() + 10 * DAY_MS);
    expect(await job.run()).toEqual({ removed: 0, bytes: 0 });

    now = new Date(Date.now() + 31 * DAY_MS);
    const result = await job.run();
    expect(result).toEqual({ removed: 1, bytes: old.bytes });
    expect(await rowOf(old.recordingId)).toBeUndefined();
    expect(existsSync(join(dir, old.recordingId))).toBe(false);
    expect(await rowOf(held.recordingId)).toBeDefined();
    expect(existsSync(join(dir, held.recordingId))).toBe(true);
    expect(await rowOf(live.recordingId)).toBeDefined();
    const purged = await t.auditOf(old.sessionId);
    expect(purged.filter((l) => l.action === 'recording.purged')).toEqual([
      expect.objectContaining({
        actorType: 'system',
        details: expect.objectContaining({ recordingId: old.recordingId }),
      }),
    ]);
  });

  it('finishes a purge a previous run left half-done (marked, objects already gone)', async () => {
    const half = await recording();
    await t.db.query(`UPDATE recordings SET purge_started_at = now() WHERE id = $1`, [half.recordingId]);
    await store.remove(half.recordingId);
    now = new Date();
    const result = await job.run();
    expect(result.removed).toBe(1);
    expect(await rowOf(half.recordingId)).toBeUndefined();
  });

  it('under RECORDING_POLICY=required, every recorded channel carries rec mode required', async () => {
    const { sessionId, deviceId } = await insertRemoteSession(t.db, t.admin.id, { recordingEnabled: false });
    const minted = await t.app.get(RelayTokenService).mintSessionTokens(sessionId, ['screen', 'shell'], {
      recordingEnabled: false,
      technicianId: t.admin.id,
      deviceId,
    });
    for (const token of [minted.agent.screen, minted.tech.screen, minted.agent.shell, minted.tech.shell])
      expect(decodeJwt(token).rec).toEqual({ mode: 'required', tech: t.admin.id, device: deviceId });
  });
});

describe('Recording retention with RECORDING_MAX_TOTAL_GB (service tier)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qs-retention-cap-'));
  const store = new FsRecordingStore(dir);
  let t: ServiceModule;

  beforeAll(async () => {
    t = await createServiceModule([RecordingsModule, UsersModule], {
      RECORDING_DIR: dir,
      RECORDING_MAX_TOTAL_GB: '1',
    });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes the oldest recordings until the total fits, never a held one', async () => {
    const made: BuiltRecording[] = [];
    for (let i = 0; i < 4; i++) {
      const { sessionId, deviceId } = await insertRemoteSession(t.db, t.admin.id);
      const r = await writeRecording(store, {
        sessionId,
        technicianId: t.admin.id,
        deviceId,
        chunks: [Buffer.from(`recording ${i}`)],
      });
      await t.app.get(RelayEventsService).accept(
        parseRelayEventBatch({
          events: recordingEvents(r, { startedAt: new Date(Date.now() - (10 - i) * 3600_000) }),
        }),
      );
      await t.app.get(RecordingIngestService).settled();
      made.push(r);
    }
    // Each counts as 400 MiB (the row's byte count is what the cap weighs): 1.6 GiB against 1 GiB.
    await t.db.query(`UPDATE recordings SET bytes = 400 * 1024 * 1024`);
    await t.db.query(`UPDATE recordings SET legal_hold = true WHERE id = $1`, [made[0].recordingId]);
    const log = jest.spyOn(Logger.prototype, 'log');
    let result: { removed: number; bytes: number };
    try {
      result = await t.app.get(RecordingRetentionJob).run();
      // The log line names what went, not only how much.
      const line = log.mock.calls.map(([m]) => String(m)).find((m) => m.startsWith('Removed '));
      expect(line).toContain(made[1].recordingId);
      expect(line).toContain(made[2].recordingId);
    } finally {
      log.mockRestore();
    }
    expect(result).toEqual({ removed: 2, bytes: 2 * 400 * 1024 * 1024 });
    const left = (await t.db.query<{ id: string }[]>(`SELECT id FROM recordings ORDER BY started_at`)).map(
      (r) => r.id,
    );
    expect(left).toEqual([made[0].recordingId, made[3].recordingId]);
    expect(existsSync(join(dir, made[1].recordingId))).toBe(false);
    expect(existsSync(join(dir, made[3].recordingId))).toBe(true);
  });
});

describe('Recording retention when held and live recordings alone exceed RECORDING_MAX_TOTAL_GB', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qs-retention-pinned-'));
  const store = new FsRecordingStore(dir);
  let t: ServiceModule;

  beforeAll(async () => {
    t = await createServiceModule([RecordingsModule, UsersModule], {
      RECORDING_DIR: dir,
      RECORDING_MAX_TOTAL_GB: '1',
    });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes nothing for the cap (the others could never make it fit), and says why', async () => {
    const made: BuiltRecording[] = [];
    for (let i = 0; i < 3; i++) {
      const { sessionId, deviceId } = await insertRemoteSession(t.db, t.admin.id);
      const r = await writeRecording(store, {
        sessionId,
        technicianId: t.admin.id,
        deviceId,
        chunks: [Buffer.from(`recording ${i}`)],
      });
      const events = recordingEvents(r, { startedAt: new Date(Date.now() - (10 - i) * 3600_000) });
      await t.app
        .get(RelayEventsService)
        .accept(parseRelayEventBatch({ events: i === 1 ? events.slice(0, 2) : events }));
      await t.app.get(RecordingIngestService).settled();
      made.push(r);
    }
    // One held (700 MiB) and one live (700 MiB): 1.4 GiB the cap cannot touch; one unheld of 10 MiB.
    await t.db.query(`UPDATE recordings SET bytes = 700 * 1024 * 1024`);
    await t.db.query(`UPDATE recordings SET bytes = 10 * 1024 * 1024 WHERE id = $1`, [made[2].recordingId]);
    await t.db.query(`UPDATE recordings SET legal_hold = true WHERE id = $1`, [made[0].recordingId]);
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      expect(await t.app.get(RecordingRetentionJob).run()).toEqual({ removed: 0, bytes: 0 });
      expect(warn.mock.calls.filter(([m]) => String(m).includes('RECORDING_MAX_TOTAL_GB'))).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
    const left = await t.db.query<{ id: string }[]>(`SELECT id FROM recordings`);
    expect(left).toHaveLength(3);
    expect(existsSync(join(dir, made[2].recordingId))).toBe(true);
  });
});

describe('Recording sweep: rows whose finish was lost (service tier)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qs-sweep-'));
  const store = new FsRecordingStore(dir);
  let t: ServiceModule;

  beforeAll(async () => {
    t = await createServiceModule([RecordingsModule, UsersModule], { RECORDING_DIR: dir });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A recording whose start and progress (covering `signed` chunks) arrived, but not its finish. */
  const unfinished = async (chunks: number, signed: number): Promise<BuiltRecording> => {
    const { sessionId, deviceId } = await insertRemoteSession(t.db, t.admin.id);
    const r = await writeRecording(store, {
      sessionId,
      technicianId: t.admin.id,
      deviceId,
      chunks: Array.from({ length: chunks }, (_, i) => screenChunk([{ atMs: i, data: Buffer.from(`${i}`) }])),
    });
    const [started, progress] = recordingEvents(r);
    const head = signed === 0 ? undefined : r.manifest.chunks[signed - 1].chain;
    await t.app
      .get(RelayEventsService)
      .accept(
        parseRelayEventBatch({ events: [started, { ...progress, chunks: signed, head: head ?? r.head }] }),
      );
    await t.app.get(RecordingIngestService).settled();
    return r;
  };
  const endSession = (sessionId: string, minutesAgo: number) =>
    t.db.query(
      `UPDATE remote_sessions SET status = 'ended', ended_at = now() - make_interval(mins => $2) WHERE id = $1`,
      [sessionId, minutesAgo],
    );
  const rowOf = async (id: string) =>
    (
      await t.db.query<
        {
          status: string;
          incomplete_reason: string | null;
          integrity: string;
          broken_reason: string | null;
        }[]
      >(`SELECT status, incomplete_reason, integrity, broken_reason FROM recordings WHERE id = $1`, [id])
    )[0];

  it('closes a row still recording 10 minutes after its session ended, from its manifest, and checks it', async () => {
    const whole = await unfinished(2, 2);
    const short = await unfinished(2, 1);
    const recent = await unfinished(1, 1);
    await endSession(whole.sessionId, 20);
    await endSession(short.sessionId, 20);
    await endSession(recent.sessionId, 2);
    const result = await t.app.get(RecordingSweepJob).run();
    expect(result.closed.sort()).toEqual([whole.recordingId, short.recordingId].sort());
    await t.app.get(RecordingIntegrityService).idle();
    expect(await rowOf(whole.recordingId)).toEqual({
      status: 'complete',
      incomplete_reason: null,
      integrity: 'verified',
      broken_reason: null,
    });
    // The manifest holds a chunk the relay never signed: closed as crashed, and found broken there.
    expect(await rowOf(short.recordingId)).toEqual({
      status: 'incomplete',
      incomplete_reason: 'relay_crashed',
      integrity: 'broken',
      broken_reason: 'head_mismatch',
    });
    expect((await rowOf(recent.recordingId)).status).toBe('recording');
  });

  it('checks again a finished row left unchecked (its queued check was lost)', async () => {
    const { sessionId, deviceId } = await insertRemoteSession(t.db, t.admin.id);
    const r = await writeRecording(store, {
      sessionId,
      technicianId: t.admin.id,
      deviceId,
      chunks: [screenChunk([{ atMs: 0, data: Buffer.from('x') }])],
    });
    await t.app.get(RelayEventsService).accept(parseRelayEventBatch({ events: recordingEvents(r) }));
    await t.app.get(RecordingIngestService).settled();
    await t.app.get(RecordingIntegrityService).idle();
    await t.db.query(
      `UPDATE recordings SET integrity = 'unchecked', integrity_checked_at = NULL WHERE id = $1`,
      [r.recordingId],
    );
    expect((await t.app.get(RecordingSweepJob).run()).requeued).toBeGreaterThanOrEqual(1);
    await t.app.get(RecordingIntegrityService).idle();
    expect((await rowOf(r.recordingId)).integrity).toBe('verified');
  });
});

describe('Recordings migration', () => {
  it('goes down and up again cleanly on a real PostgreSQL, and refuses values outside its lists', async () => {
    await withMigrationsUpTo(Recordings1763800000000, async (ds) => {
      const exists = async (): Promise<boolean> =>
        (await ds.query<unknown[]>(`SELECT 1 FROM information_schema.tables WHERE table_name = 'recordings'`))
          .length > 0;
      await ds.runMigrations();
      expect(await exists()).toBe(true);
      await expect(
        ds.query(
          `INSERT INTO recordings (id, session_id, channel, mode, started_at)
           VALUES (gen_random_uuid(), gen_random_uuid(), 'files', 'optional', now())`,
        ),
      ).rejects.toThrow(/ck_recordings_channel/);
      await ds.query(
        `INSERT INTO relay_events (id, type, session_id) VALUES (gen_random_uuid(), 'recording_progress', 's')`,
      );
      await ds.undoLastMigration();
      expect(await exists()).toBe(false);
      await ds.runMigrations();
      expect(await exists()).toBe(true);
    });
  });
});
