import { roleIn } from '../../contracts/api/users';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AccessWithdrawals } from '../access/access-withdrawals';
import { AuditService } from '../audit/audit.service';
import type { AuditActorType } from '../audit/entities/audit-event.entity';
import type { AuthUser } from '../common/auth-user';
import { AppConfig } from '../config/app-config';
import { DevicesService } from '../devices/devices.service';
import { UsersService } from '../users/users.service';
import {
  CreateSupportSessionDto,
  ListSupportSessionsQueryDto,
  QuickSupportKpisDto,
  SupportSessionDto,
  SupportSessionListDto,
} from './dto/support-session.dto';
import { EndReason, SupportSession } from './entities/support-session.entity';
import { QuickSupportEvents } from './quick-support-events';
import { quickSupportErrors as errors } from './quick-support.errors';
import { SupportSessionMapper } from './support-session.mapper';
import { EndTarget, SupportSessionQueries } from './support-session.queries';
import { hashSupportToken, isSupportTokenShape, newSupportToken } from './support-token';
import { SupportTokenCipher } from './support-token-cipher';
import { viewSupportSession } from './support-session.view';

interface Actor {
  type: AuditActorType;
  id: string | null;
}

/**
 * Quick-support sessions: create, list, assign, end, KPIs, and the transitions the agent registration
 * and the expiry job drive. Every transition is one guarded UPDATE (SupportSessionQueries), so racing
 * requests cannot both win; this service decides who may, what is audited and what is published.
 */
@Injectable()
export class QuickSupportService {
  private readonly logger = new Logger(QuickSupportService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: SupportSessionQueries,
    private readonly mapper: SupportSessionMapper,
    private readonly cipher: SupportTokenCipher,
    private readonly audit: AuditService,
    private readonly devices: DevicesService,
    private readonly users: UsersService,
    private readonly events: QuickSupportEvents,
    private readonly config: AppConfig,
    private readonly withdrawals: AccessWithdrawals,
  ) {}

  async create(actor: AuthUser, dto: CreateSupportSessionDto): Promise<SupportSessionDto> {
    const token = newSupportToken();
    const id = await this.dataSource.transaction(async (m) => {
      const created = await this.queries.insert(
        {
          tokenHash: hashSupportToken(token),
          tokenCiphertext: this.cipher.encrypt(token),
          customerName: dto.customerName ?? null,
          note: dto.note ?? null,
          createdBy: actor.id,
          expiryMin: this.config.quickSupport.sessionExpiryMin,
        },
        m,
      );
      await this.audit.record(
        {
          actorType: 'user',
          actorId: actor.id,
          action: 'support_session.created',
          targetType: 'support_session',
          targetId: created,
        },
        m,
      );
      return created;
    });
    this.logger.log(`Support session ${id} created by ${actor.id}`);
    const session = await this.mustLoad(id);
    // The link is built from the token just made, whatever the stored ciphertext says.
    const created = { ...session, url: this.mapper.publicUrl(token) };
    this.events.publish({ type: 'session.created', session: created });
    return viewSupportSession(actor, created);
  }

  /** The team queue; sessions another technician owns come without their link and notes. */
  async list(viewer: AuthUser, query: ListSupportSessionsQueryDto): Promise<SupportSessionListDto> {
    const [rows, total] = await this.queries.page({
      status: query.status,
      limit: query.limit ?? 25,
      offset: query.offset ?? 0,
    });
    const items = this.mapper.toDtos(rows, await this.queries.notesOf(rows.map((r) => r.id)));
    return { items: items.map((dto) => viewSupportSession(viewer, dto)), total };
  }

  async get(viewer: AuthUser, id: string): Promise<SupportSessionDto> {
    return viewSupportSession(viewer, await this.mustLoad(id));
  }

  async kpis(): Promise<QuickSupportKpisDto> {
    const c = await this.queries.counts();
    return { waiting: c.waiting, active: c.active, ended: c.ended, endedLast24h: c.endedLast24h };
  }

  /**
   * Assigns an open session to a technician (the caller by default); the customer then sees their
   * name. Who may reassign is the route's rule (the owner or an admin); a technician who hands a
   * session over gets it back as the team sees it. The previous owner loses reach to the session's
   * devices: once the change commits that is published, and their remote sessions there end at once.
   */
  async assign(actor: AuthUser, id: string, userId: string = actor.id): Promise<SupportSessionDto> {
    const user = await this.users.findById(userId);
    // An auditor only reads: a session handed to one would have nobody to act on it.
    if (!user || user.disabledAt || !roleIn('operators', user.role)) throw errors.unknownTechnician();
    const handedOver = await this.dataSource.transaction(async (m) => {
      // The owner before the change, locked so that a concurrent reassign cannot hide who lost it.
      const before = await this.queries.lockOwner(id, m);
      if (!(await this.queries.assign(id, userId, m)))
        throw (await this.queries.exists(id, m)) ? errors.sessionEnded() : errors.sessionNotFound();
      await this.audit.record(
        {
          actorType: 'user',
          actorId: actor.id,
          action: 'support_session.assigned',
          targetType: 'support_session',
          targetId: id,
          details: { userId },
        },
        m,
      );
      const previous = before?.owner ?? null;
      if (previous === null || previous === userId) return null;
      return { previous, deviceIds: await this.queries.deviceIds(id, m) };
    });
    if (handedOver && handedOver.deviceIds.length > 0)
      this.withdrawals.publish({
        kind: 'support_session_reassigned',
        userId: handedOver.previous,
        deviceIds: handedOver.deviceIds,
        actorId: actor.id,
      });
    return viewSupportSession(actor, await this.publishUpdated(id));
  }

  /** Ends a session for a technician. Idempotent: ending an ended session returns it unchanged. */
  async end(actor: AuthUser, id: string): Promise<SupportSessionDto> {
    const ended = await this.endWhere({ sessionId: id }, 'ended_by_technician', {
      type: 'user',
      id: actor.id,
    });
    if (ended === 0 && !(await this.queries.exists(id))) throw errors.sessionNotFound();
    return viewSupportSession(actor, await this.mustLoad(id));
  }

  /**
   * Ends the open session a device serves (the agent left for good, or the device was removed).
   * For the agent control channel. Returns false when there was no open session.
   */
  async endForDevice(
    deviceId: string,
    reason: Extract<EndReason, 'agent_left' | 'device_removed'>,
  ): Promise<boolean> {
    return (await this.endWhere({ deviceId }, reason, { type: 'agent', id: deviceId })) > 0;
  }

  /** Ends every open session past its expiry (the scheduled job). Returns how many ended. */
  expireDue(): Promise<number> {
    return this.endWhere({ expired: true }, 'expired', { type: 'system', id: null });
  }

  /**
   * `waiting → active` when a device registers, inside the registration transaction. A session that
   * is already active answers 409; one that ended or expired answers 410 (the transaction rolls back).
   */
  async activateInTransaction(m: EntityManager, sessionId: string, deviceId: string): Promise<void> {
    if (!(await this.queries.activate(sessionId, deviceId, this.config.quickSupport.maxSessionHours, m))) {
      throw (await this.queries.status(sessionId, m)) === 'active'
        ? errors.sessionNotWaiting()
        : errors.sessionClosedForRegistration();
    }
    await this.audit.record(
      {
        actorType: 'agent',
        actorId: deviceId,
        action: 'support_session.activated',
        targetType: 'support_session',
        targetId: sessionId,
        details: { deviceId },
      },
      m,
    );
  }

  /** The open session behind a public token, with its technician and device; null for anything else. */
  async findOpenByToken(token: unknown): Promise<SupportSession | null> {
    if (!isSupportTokenShape(token)) return null;
    return this.queries.findOpenByTokenHash(hashSupportToken(token));
  }

  /**
   * Why a public token opens nothing: `ended`, `expired`, or `invalid` (no such token). Only someone
   * holding the real link (≥128 random bits) can meet the first two, so telling them apart reveals
   * nothing to a guesser, who always gets `invalid`.
   */
  async closedLinkReason(token: unknown): Promise<'ended' | 'expired' | 'invalid'> {
    if (!isSupportTokenShape(token)) return 'invalid';
    return (await this.queries.closedStateByTokenHash(hashSupportToken(token))) ?? 'invalid';
  }

  /** Reloads a session and tells the dashboard about it (whole: the stream shows each viewer their view). */
  async publishUpdated(id: string): Promise<SupportSessionDto> {
    const dto = await this.mustLoad(id);
    this.events.publish({ type: 'session.updated', session: dto });
    return dto;
  }

  private async endWhere(target: EndTarget, reason: EndReason, actor: Actor): Promise<number> {
    const ended = await this.dataSource.transaction(async (m) => {
      const result: { sessionId: string; deviceIds: string[] }[] = [];
      for (const id of await this.queries.end(target, reason, m)) {
        const deviceIds = await this.devices.revokeForSession(m, id);
        // Ending always succeeds; an audit line the trail refuses follows through the outbox.
        await this.audit.recordOrDefer(
          {
            actorType: actor.type,
            actorId: actor.id,
            action: 'support_session.ended',
            targetType: 'support_session',
            targetId: id,
            details: { reason },
          },
          m,
        );
        result.push({ sessionId: id, deviceIds });
      }
      return result;
    });
    for (const { sessionId, deviceIds } of ended) {
      this.logger.log(`Support session ${sessionId} ended (${reason})`);
      await this.publishUpdated(sessionId);
      this.events.publish({ type: 'session.ended', sessionId, deviceIds, reason });
      await this.devices.publishUpdated(deviceIds);
    }
    return ended.length;
  }

  private async mustLoad(id: string): Promise<SupportSessionDto> {
    const row = await this.queries.findOne(id);
    if (!row) throw errors.sessionNotFound();
    const [dto] = this.mapper.toDtos([row], await this.queries.notesOf([id]));
    return dto;
  }
}
