import { Injectable } from '@nestjs/common';
import type {
  ListRecordingsQuery,
  RecordingListView,
  RecordingPlaybackView,
  RecordingSettingsView,
  RecordingView,
  SetLegalHoldRequest,
} from '../../contracts/api/recordings';
import { isRecordingId } from '../../contracts/recording/format';
import { readScope } from '../access/access-rules';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/auth-user';
import { Clock } from '../common/clock';
import { cleanDisplayText } from '../../contracts/display-text';
import { AppConfig } from '../config/app-config';
import { RecordingIntegrityService } from './recording-integrity.service';
import { toRecordingView } from './recording.mapper';
import { RecordingQueries, type RecordingRow } from './recording.queries';
import { recordingErrors as errors } from './recordings.errors';

/** `recording.viewed` is written at most once per user and recording in this window. */
export const VIEWED_AUDIT_WINDOW_MS = 10 * 60_000;
const VIEWED_MEMORY_MAX = 10_000;

/**
 * Reading recordings: the list, one recording, what a player needs, chunk bytes (checked against the
 * manifest before they are sent), legal hold and the settings. Admins and auditors reach every
 * recording; a technician those of their own sessions (another's is "not found", alike).
 */
@Injectable()
export class RecordingsService {
  /** `${userId}:${recordingId}` → when `recording.viewed` was last written (per process). */
  private readonly viewed = new Map<string, number>();

  constructor(
    private readonly queries: RecordingQueries,
    private readonly integrity: RecordingIntegrityService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  settings(): RecordingSettingsView {
    const r = this.config.recording;
    return {
      policy: r.policy,
      strict: r.strict,
      retentionDays: r.retentionDays,
      maxTotalGb: r.maxTotalGb,
      revealKeys: r.revealKeys,
      store: r.store.kind,
    };
  }

  view(row: RecordingRow): RecordingView {
    return toRecordingView(row, this.config.recording.retentionDays, this.clock.now());
  }

  async list(user: AuthUser, q: ListRecordingsQuery): Promise<RecordingListView> {
    if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to)) throw errors.invalidFromTo();
    const { rows, total, capped } = await this.queries.list(q, readScope(user));
    return { items: rows.map((r) => this.view(r)), total, totalCapped: capped };
  }

  /** The recording if the caller may see it; else `recording_not_found` (alike for every reason). */
  async visible(user: AuthUser, id: string): Promise<RecordingRow> {
    if (!isRecordingId(id)) throw errors.notFound();
    const row = await this.queries.find(id);
    const scope = readScope(user);
    if (!row || row.purgeStartedAt || (scope && row.technicianId !== scope.technicianId))
      throw errors.notFound();
    return row;
  }

  async get(user: AuthUser, id: string): Promise<RecordingView> {
    return this.view(await this.visible(user, id));
  }

  /** The player's view; the manifest's chain is checked on every call and a break is kept. */
  async playback(user: AuthUser, id: string): Promise<RecordingPlaybackView> {
    let row = await this.visible(user, id);
    const { read, check } = await this.integrity.checkedManifest(row);
    if (check.brokenAt !== null) {
      await this.integrity.noteBreak(row, check);
      row = (await this.queries.find(id)) ?? row;
    }
    // Only what the signed head covers is listed and played (chunks past it are unsigned).
    const chunks = read.manifest
      ? read.manifest.chunks.slice(0, this.integrity.covered(row, read.manifest))
      : [];
    const playable = Math.min(chunks.length, row.brokenAt ?? Infinity, check.brokenAt ?? Infinity);
    await this.noteViewed(user, row);
    return {
      recording: this.view(row),
      chunks: chunks.map((c) => ({ index: c.index, startMs: c.startMs, endMs: c.endMs, bytes: c.bytes })),
      playableChunks: playable,
      revealKeys: this.config.recording.revealKeys,
    };
  }

  /**
   * One chunk's bytes, only when they hash to the manifest and the manifest's chain holds up to it;
   * otherwise the break is kept and 409 `recording_broken` says where.
   */
  async chunk(user: AuthUser, id: string, index: number): Promise<Buffer> {
    const row = await this.visible(user, id);
    const { read, check: chain } = await this.integrity.checkedManifest(row);
    if (!read.manifest) {
      await this.integrity.noteBreak(row, read.check);
      throw errors.broken(0, read.check.reason ?? 'manifest_missing');
    }
    if (chain.brokenAt !== null && chain.brokenAt <= index) {
      await this.integrity.noteBreak(row, chain);
      throw errors.broken(chain.brokenAt, chain.reason ?? 'chain_mismatch');
    }
    if (index >= this.integrity.covered(row, read.manifest)) throw errors.chunkNotFound();
    if (row.brokenAt !== null && row.brokenAt <= index && row.brokenReason)
      throw errors.broken(row.brokenAt, row.brokenReason);
    const { bytes, check } = await this.integrity.readChunk(row, read.manifest, index);
    if (check.brokenAt !== null || !bytes) {
      await this.integrity.noteBreak(row, check);
      throw errors.broken(check.brokenAt ?? index, check.reason ?? 'chunk_missing');
    }
    await this.noteViewed(user, row);
    return bytes;
  }

  async setLegalHold(user: AuthUser, id: string, req: SetLegalHoldRequest): Promise<RecordingView> {
    const row = await this.visible(user, id);
    const note = cleanDisplayText(req.note ?? '').slice(0, 500) || null;
    // The audit line commits with the change, and only if the change matched (not being purged).
    const changed = await this.queries.transaction(async (m) => {
      if (!(await this.queries.setLegalHold(id, req.hold, req.hold ? note : null, user.id, m))) return false;
      await this.audit.recordOrRefuse(
        {
          actorType: 'user',
          actorId: user.id,
          action: req.hold ? 'recording.legal_hold_set' : 'recording.legal_hold_released',
          targetType: 'remote_session',
          targetId: row.sessionId,
          details: { recordingId: row.id, channel: row.channel, ...(note && { note }) },
        },
        m,
      );
      return true;
    });
    if (!changed) throw errors.notFound();
    return this.get(user, id);
  }

  /** `recording.viewed`, at most once per user and recording per {@link VIEWED_AUDIT_WINDOW_MS}. */
  private async noteViewed(user: AuthUser, row: RecordingRow): Promise<void> {
    const key = `${user.id}:${row.id}`;
    const now = Date.now();
    const last = this.viewed.get(key);
    if (last !== undefined && now - last < VIEWED_AUDIT_WINDOW_MS) return;
    await this.audit.recordOrRefuse({
      actorType: 'user',
      actorId: user.id,
      action: 'recording.viewed',
      targetType: 'remote_session',
      targetId: row.sessionId,
      details: { recordingId: row.id, channel: row.channel },
    });
    this.viewed.delete(key);
    if (this.viewed.size >= VIEWED_MEMORY_MAX) {
      for (const [k, at] of this.viewed) if (now - at >= VIEWED_AUDIT_WINDOW_MS) this.viewed.delete(k);
      if (this.viewed.size >= VIEWED_MEMORY_MAX) this.viewed.delete(this.viewed.keys().next().value!);
    }
    this.viewed.set(key, now);
  }
}
