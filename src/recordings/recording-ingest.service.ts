import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import type { RecordingMode } from '../../contracts/recording/format';
import type { RecordingEvent, RelayEvent } from '../../contracts/relay-events';
import { AuditService } from '../audit/audit.service';
import { RelayEventsService } from '../relay-link/relay-events.service';
import { RelayTokenService } from '../relay-link/relay-token.service';
import { RecordingIntegrityService } from './recording-integrity.service';
import { RecordingQueries, type RecordingSessionFacts } from './recording.queries';

const isRecordingEvent = (e: RelayEvent): e is RecordingEvent => e.type.startsWith('recording_');

/**
 * Keeps the `recordings` table in step with the relay's signed `recording_*` events (already checked
 * and de-duplicated by RelayEventsService). Events apply one after the other in arrival order, but
 * each write tolerates any order. A recording is accepted only for a remote session this portal
 * knows; the technician and device are taken from that session, not from the event.
 */
@Injectable()
export class RecordingIngestService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RecordingIngestService.name);
  private readonly subs = new Subscription();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly relayEvents: RelayEventsService,
    private readonly queries: RecordingQueries,
    private readonly integrity: RecordingIntegrityService,
    private readonly audit: AuditService,
    private readonly tokens: RelayTokenService,
  ) {}

  onModuleInit(): void {
    this.subs.add(
      this.relayEvents.events$.subscribe((e) => {
        if (!isRecordingEvent(e)) return;
        this.chain = this.chain
          .then(() => this.apply(e))
          .catch((err: unknown) =>
            this.logger.error(`Applying ${e.type} of recording ${e.recordingId} failed: ${String(err)}`),
          );
      }),
    );
  }

  onModuleDestroy(): void {
    this.subs.unsubscribe();
  }

  /** Resolves once every event received so far has been applied (tests). */
  settled(): Promise<void> {
    return this.chain;
  }

  async apply(e: RecordingEvent): Promise<void> {
    const facts = await this.factsFor(e);
    if (!facts) return;
    const refused = (): void =>
      this.logger.warn(
        `Dropped ${e.type} of recording ${e.recordingId}: the recording belongs to another session or channel than ${e.sessionId}/${e.channel}`,
      );
    switch (e.type) {
      case 'recording_started':
        if (!(await this.queries.started(e, facts))) return refused();
        await this.note(e, 'recording.started', { mode: e.mode });
        return;
      case 'recording_progress':
        if (!(await this.queries.progress(e, facts, this.modeOf(facts)))) return refused();
        return;
      case 'recording_failed':
        if (!(await this.queries.failed(e, facts))) return refused();
        await this.note(e, 'recording.failed', { mode: e.mode, failure: e.failure });
        return;
      case 'recording_finished':
        if (!(await this.queries.finished(e, facts, this.modeOf(facts)))) return refused();
        await this.note(e, 'recording.finished', {
          complete: e.complete,
          incompleteReason: e.incompleteReason,
          chunks: e.chunks,
          bytes: e.bytes,
        });
        this.integrity.enqueue(e.recordingId);
        return;
    }
  }

  /**
   * The mode of a row first made by a progress or finish event (its start was lost): what the
   * session's tokens carried, by the same rule; the start event, when it comes, sets the relay's own.
   */
  private modeOf(facts: RecordingSessionFacts): RecordingMode {
    return (
      this.tokens.recordingClaim({
        recordingEnabled: facts.recordingEnabled,
        technicianId: facts.technicianId,
        deviceId: facts.deviceId ?? '',
      })?.mode ?? 'optional'
    );
  }

  /** The session's technician and device; null (logged, dropped) for a session this portal never had. */
  private async factsFor(e: RecordingEvent): Promise<RecordingSessionFacts | null> {
    const facts = await this.queries.sessionFacts(e.sessionId);
    if (facts) return facts;
    const known = await this.queries.find(e.recordingId);
    if (known) return { technicianId: known.technicianId, deviceId: known.deviceId, recordingEnabled: true };
    this.logger.warn(`Dropped ${e.type} of recording ${e.recordingId}: session ${e.sessionId} is unknown`);
    return null;
  }

  private async note(e: RecordingEvent, action: string, details: Record<string, unknown>): Promise<void> {
    await this.audit.recordOrDefer({
      actorType: 'relay',
      action,
      targetType: 'remote_session',
      targetId: e.sessionId,
      details: { recordingId: e.recordingId, channel: e.channel, ...details },
    });
  }
}
