import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { SUPPORT_SESSION_OWNER_SQL } from '../access/access-rules';
import { AccessWithdrawals } from '../access/access-withdrawals';
import { AuditService } from '../audit/audit.service';
import type { AuditActorType } from '../audit/entities/audit-event.entity';
import type { AuthUser } from '../common/auth-user';
import { AppConfig } from '../config/app-config';
import { returningRows } from '../database/returning-rows';
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
import { hashSupportToken, isSupportTokenShape, newSupportToken } from './support-token';
import { SupportTokenCipher } from './support-token-cipher';
import { viewSupportSession } from './support-session.view';

interface Actor {
  type: AuditActorType;
  id: string | null;
}

/** Which open sessions an end applies to. */
type EndTarget = { sessionId: string } | { deviceId: string } | { expired: true };

/**
 * Quick-support sessions: create, list, assign, end, KPIs, and the transitions the agent registration
 * and the expiry job drive. Every transition is one guarded UPDATE, so racing requests cannot both win.
 */
@Injectable()
export class QuickSupportService {
  private readonly logger = new Logger(QuickSupportService.name);

  constructor(
    @InjectRepository(SupportSession) private readonly sessions: Repository<SupportSession>,
    private readonly dataSource: DataSource,
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
      const rows = await m.query<{ id: string }[]>(
        `INSERT INTO support_sessions (token_hash, token_ciphertext, customer_name, note, created_by, assigned_to, expires_at)
         VALUES ($1, $2, $3, $4, $5, $5, now() + make_interval(mins => $6)) RETURNING id`,
        [
          hashSupportToken(token),
          this.cipher.encrypt(token),
          dto.customerName ?? null,
          dto.note ?? null,
          actor.id,
          this.config.quickSupport.sessionExpiryMin,
        ],
      );
      const created = rows[0].id;
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
    const qb = this.mapper.query();
    if (query.status === 'open') qb.where(`s.status <> 'ended'`);
    else if (query.status) qb.where('s.status = :status', { status: query.status });
    const [rows, total] = await qb
      .orderBy('s.createdAt', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .take(query.limit ?? 25)
      .skip(query.offset ?? 0)
      .getManyAndCount();
    const items = await this.mapper.toDtos(rows);
    return { items: items.map((dto) => viewSupportSession(viewer, dto)), total };
  }

  async get(viewer: AuthUser, id: string): Promise<SupportSessionDto> {
    return viewSupportSession(viewer, await this.mustLoad(id));
  }

  async kpis(): Promise<QuickSupportKpisDto> {
    const rows = await this.dataSource.query<
      { waiting: number; active: number; ended: number; ended24: number }[]
    >(
      `SELECT count(*) FILTER (WHERE status = 'waiting')::int AS waiting,
              count(*) FILTER (WHERE status = 'active')::int AS active,
              count(*) FILTER (WHERE status = 'ended')::int AS ended,
              count(*) FILTER (WHERE status = 'ended' AND ended_at > now() - interval '24 hours')::int AS ended24
         FROM support_sessions`,
    );
    const r = rows[0] ?? { waiting: 0, active: 0, ended: 0, ended24: 0 };
    return { waiting: r.waiting, active: r.active, ended: r.ended, endedLast24h: r.ended24 };
  }

  /**
   * Assigns an open session to a technician (the caller by default); the customer then sees their
   * name. Who may reassign is the route's rule (the owner or an admin); a technician who hands a
   * session over gets it back as the team sees it. The previous owner loses reach to the session's
   * devices: once the change commits that is published, and their remote sessions there end at once.
   */
  async assign(actor: AuthUser, id: string, userId: string = actor.id): Promise<SupportSessionDto> {
    const user = await this.users.findById(userId);
    if (!user || user.disabledAt) throw errors.unknownTechnician();
    const handedOver = await this.dataSource.transaction(async (m) => {
      // The owner before the change, locked so that a concurrent reassign cannot hide who lost it.
      const before = await m.query<{ owner: string | null }[]>(
        `SELECT ${SUPPORT_SESSION_OWNER_SQL('s')} AS owner FROM support_sessions s WHERE s.id = $1 FOR UPDATE`,
        [id],
      );
      const rows = await returningRows<{ id: string }>(
        m,
        `UPDATE support_sessions SET assigned_to = $2, updated_at = now() WHERE id = $1 AND status <> 'ended' RETURNING id`,
        [id, userId],
      );
      if (rows.length === 0)
        throw (await this.exists(m, id)) ? errors.sessionEnded() : errors.sessionNotFound();
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
      const previous = before[0]?.owner ?? null;
      if (previous === null || previous === userId) return null;
      const devices = await m.query<{ id: string }[]>(
        `SELECT id FROM devices WHERE support_session_id = $1`,
        [id],
      );
      return { previous, deviceIds: devices.map((d) => d.id) };
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
    if (ended === 0 && !(await this.exists(this.dataSource.manager, id))) throw errors.sessionNotFound();
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
    const rows = await returningRows<{ id: string }>(
      m,
      `UPDATE support_sessions
          SET status = 'active', device_id = $2, activated_at = now(),
              expires_at = now() + make_interval(hours => $3), updated_at = now()
        WHERE id = $1 AND status = 'waiting' AND expires_at > now() RETURNING id`,
      [sessionId, deviceId, this.config.quickSupport.maxSessionHours],
    );
    if (rows.length === 0) {
      const current = await m.query<{ status: string }[]>(
        `SELECT status FROM support_sessions WHERE id = $1`,
        [sessionId],
      );
      throw current[0]?.status === 'active'
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
    return this.sessions
      .createQueryBuilder('s')
      .leftJoin('s.assignedTo', 'at')
      .addSelect(['at.id', 'at.displayName'])
      .leftJoinAndSelect('s.device', 'd')
      .where('s.token_hash = :hash', { hash: hashSupportToken(token) })
      .andWhere(`s.status <> 'ended'`)
      .andWhere('s.expires_at > now()')
      .getOne();
  }

  /** Reloads a session and tells the dashboard about it (whole: the stream shows each viewer their view). */
  async publishUpdated(id: string): Promise<SupportSessionDto> {
    const dto = await this.mustLoad(id);
    this.events.publish({ type: 'session.updated', session: dto });
    return dto;
  }

  private async endWhere(target: EndTarget, reason: EndReason, actor: Actor): Promise<number> {
    const [condition, params] =
      'sessionId' in target
        ? ['id = $2', [target.sessionId]]
        : 'deviceId' in target
          ? ['device_id = $2', [target.deviceId]]
          : ['expires_at <= now()', []];
    const ended = await this.dataSource.transaction(async (m) => {
      const rows = await returningRows<{ id: string }>(
        m,
        `UPDATE support_sessions
            SET status = 'ended', ended_at = now(), end_reason = $1, token_ciphertext = NULL, updated_at = now()
          WHERE status <> 'ended' AND ${condition} RETURNING id`,
        [reason, ...params],
      );
      const result: { sessionId: string; deviceIds: string[] }[] = [];
      for (const { id } of rows) {
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
    const dto = await this.mapper.loadDto(id);
    if (!dto) throw errors.sessionNotFound();
    return dto;
  }

  private async exists(m: EntityManager, id: string): Promise<boolean> {
    return (await m.query<unknown[]>(`SELECT 1 FROM support_sessions WHERE id = $1`, [id])).length > 0;
  }
}
