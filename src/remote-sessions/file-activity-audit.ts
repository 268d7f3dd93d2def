import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import type { FileActivityMessage } from '../../contracts/agent-protocol/control-messages';
import { fileAuditAction } from '../../contracts/api/audit';
import { AgentControlService } from '../agent-control/agent-control.service';
import { AuditService } from '../audit/audit.service';
import { RemoteSessionQueries } from './remote-session.queries';

/**
 * The most file activity lines one session takes from its device. A technician moving a folder's files
 * one by one makes hundreds; past this the device is flooding the trail and the rest are dropped
 * (logged once).
 */
export const FILE_ACTIVITY_PER_SESSION = 10_000;

/**
 * A transfer cut short by the session's end is reported by the device after the session ended (its
 * channel closed first): such reports are still taken for this long.
 */
export const FILE_ACTIVITY_GRACE_MS = 2 * 60_000;

/** Sessions whose count is kept at once (the oldest is forgotten beyond it). */
const TRACKED_SESSIONS = 10_000;

/**
 * The files channel's accountability (protocol 1.4): the device reports each finished operation
 * (`file_activity`: a download, an upload, a new folder, a rename, a delete, whatever its result), and
 * each report becomes one audit line on the session, written by the agent, with the session's
 * technician, so it shows in the session's Timeline and in the audit CSV. The bytes themselves travel
 * viewer ↔ device through the relay, which the portal does not see: the trail says what the device did.
 *
 * A report must be about a session of that same device that has the files channel (an agent cannot
 * write into another device's sessions); others are ignored, as consent events are.
 */
@Injectable()
export class FileActivityAudit implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(FileActivityAudit.name);
  private readonly subs = new Subscription();
  /** Per session, reports are written one after the other, in the order they came. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Reports taken per session (bounded: see {@link FILE_ACTIVITY_PER_SESSION}). */
  private readonly taken = new Map<string, number>();

  constructor(
    private readonly agents: AgentControlService,
    private readonly audit: AuditService,
    private readonly queries: RemoteSessionQueries,
  ) {}

  onModuleInit(): void {
    this.subs.add(
      this.agents.events.subscribe((e) => {
        if (e.type === 'agent.message' && e.message.type === 'file_activity') {
          const message = e.message;
          // Past the cap a session's reports cost nothing: no query, no queued work.
          if ((this.taken.get(message.sessionId) ?? 0) >= FILE_ACTIVITY_PER_SESSION) return;
          this.inOrder(message.sessionId, () => this.onActivity(e.deviceId, message));
        }
      }),
    );
  }

  onModuleDestroy(): void {
    this.subs.unsubscribe();
  }

  /** Resolves once every report received so far for the session is written (tests, shutdown). */
  settled(sessionId: string): Promise<void> {
    return this.queues.get(sessionId) ?? Promise.resolve();
  }

  private async onActivity(deviceId: string, m: FileActivityMessage): Promise<void> {
    const session = await this.queries.findRow(m.sessionId);
    const endedLongAgo =
      session?.status === 'ended' && (session.endedAt?.getTime() ?? 0) < Date.now() - FILE_ACTIVITY_GRACE_MS;
    if (!session || session.deviceId !== deviceId || endedLongAgo || !session.channels.includes('files')) {
      this.logger.warn(`Device ${deviceId} reported file activity for a session it does not hold`);
      return;
    }
    if (!this.take(session.id)) return;
    await this.audit.recordOrDefer({
      actorType: 'agent',
      actorId: deviceId,
      action: fileAuditAction(m.action),
      targetType: 'remote_session',
      targetId: session.id,
      details: {
        deviceId,
        technicianId: session.technicianId,
        path: m.path,
        ...(m.to !== undefined && { to: m.to }),
        ...(m.bytes !== undefined && { bytes: m.bytes }),
        ...(m.sha256 !== undefined && { sha256: m.sha256 }),
        ...(m.zip !== undefined && { zip: m.zip }),
        result: m.result,
        ...(m.error !== undefined && { error: m.error }),
      },
    });
  }

  private take(sessionId: string): boolean {
    const count = (this.taken.get(sessionId) ?? 0) + 1;
    if (!this.taken.has(sessionId) && this.taken.size >= TRACKED_SESSIONS) {
      const oldest = this.taken.keys().next().value;
      if (oldest !== undefined) this.taken.delete(oldest);
    }
    this.taken.set(sessionId, Math.min(count, FILE_ACTIVITY_PER_SESSION));
    if (count === FILE_ACTIVITY_PER_SESSION + 1)
      this.logger.warn(
        `Session ${sessionId}: more than ${FILE_ACTIVITY_PER_SESSION} file activity reports; the rest are dropped`,
      );
    return count <= FILE_ACTIVITY_PER_SESSION;
  }

  private inOrder(sessionId: string, task: () => Promise<void>): void {
    const next = (this.queues.get(sessionId) ?? Promise.resolve())
      .then(task)
      .catch((err: unknown) =>
        this.logger.error(
          `File activity could not be recorded: ${err instanceof Error ? err.message : String(err)}`,
        ),
      );
    this.queues.set(sessionId, next);
    void next.then(() => {
      if (this.queues.get(sessionId) === next) this.queues.delete(sessionId);
    });
  }
}
