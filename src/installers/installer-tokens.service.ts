import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import type { InstallerMode, InstallerOs } from '../../contracts/installer-template';
import { AuditService } from '../audit/audit.service';
import type { AuditActorType } from '../audit/entities/audit-event.entity';
import { AppConfig } from '../config/app-config';
import { returningRows } from '../database/returning-rows';
import { InstallerToken } from './entities/installer-token.entity';
import { installerErrors as errors } from './installers.errors';

export const INSTALLER_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Unused tokens are kept this long past expiry (so a late agent hears "expired", not "unknown"). */
const KEEP_EXPIRED_HOURS = 24;

export function hashInstallerToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface MintedToken {
  token: string;
  expiresAt: Date;
}

/** One-shot installer tokens: minted per download (or per admin install command), redeemed once. */
@Injectable()
export class InstallerTokensService {
  private readonly logger = new Logger(InstallerTokensService.name);

  constructor(
    @InjectRepository(InstallerToken) private readonly tokens: Repository<InstallerToken>,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /** A token for one quick-support download, bound to the session and the OS. */
  mintForSession(sessionId: string, os: InstallerOs): Promise<MintedToken> {
    return this.mint('quick', os, {
      sessionId,
      ttlSec: this.config.quickSupport.installerTokenTtlSec,
      actor: { type: 'customer', id: null },
    });
  }

  /** A token for an admin's persistent-agent install command. */
  mintPersistent(userId: string, os: InstallerOs): Promise<MintedToken> {
    return this.mint('persistent', os, {
      createdBy: userId,
      ttlSec: this.config.installers.persistentTokenTtlSec,
      actor: { type: 'user', id: userId },
    });
  }

  /** An unused, unexpired persistent token (for fetching its script); null otherwise. */
  async findUsablePersistent(token: string): Promise<InstallerToken | null> {
    if (!INSTALLER_TOKEN_PATTERN.test(token)) return null;
    return this.tokens
      .createQueryBuilder('t')
      .where('t.token_hash = :hash', { hash: hashInstallerToken(token) })
      .andWhere(`t.mode = 'persistent'`)
      .andWhere('t.used_at IS NULL')
      .andWhere('t.expires_at > now()')
      .getOne();
  }

  /**
   * Locks the token's row inside the registration transaction and checks it can be redeemed: used →
   * 409; unknown or expired → 410; made for another OS → 409. Parallel redemptions queue on the lock,
   * so only the first sees it unused.
   */
  async lockForRedemption(m: EntityManager, token: string, os: InstallerOs): Promise<InstallerToken> {
    if (!INSTALLER_TOKEN_PATTERN.test(token)) throw errors.tokenInvalid();
    const rows = await m.query<(InstallerToken & { expired: boolean })[]>(
      `SELECT id, mode, os, session_id AS "sessionId", used_at AS "usedAt", expires_at <= now() AS expired
         FROM installer_tokens WHERE token_hash = $1 FOR UPDATE`,
      [hashInstallerToken(token)],
    );
    const row = rows[0];
    if (!row) throw errors.tokenInvalid();
    if (row.usedAt) throw errors.tokenUsed();
    if (row.expired) throw errors.tokenInvalid();
    if (row.os !== os) throw errors.osMismatch();
    return row;
  }

  /** Marks a locked token used by a device (guarded: a used token is never used twice). */
  async markUsed(m: EntityManager, id: string, deviceId: string): Promise<void> {
    const rows = await returningRows<{ id: string }>(
      m,
      `UPDATE installer_tokens SET used_at = now(), device_id = $2 WHERE id = $1 AND used_at IS NULL RETURNING id`,
      [id, deviceId],
    );
    if (rows.length === 0) throw errors.tokenUsed();
  }

  /** Removes unused tokens a day past expiry and used ones past the retention period. */
  @Interval('installer-token-expiry', 60_000)
  async purgeExpired(): Promise<number> {
    try {
      const rows = await returningRows<{ id: string }>(
        this.tokens.manager,
        `DELETE FROM installer_tokens
          WHERE (used_at IS NULL AND expires_at < now() - make_interval(hours => $1))
             OR (used_at IS NOT NULL AND used_at < now() - make_interval(days => $2))
          RETURNING id`,
        [KEEP_EXPIRED_HOURS, this.config.retentionDays],
      );
      if (rows.length) this.logger.log(`Removed ${rows.length} expired installer token(s)`);
      return rows.length;
    } catch (err) {
      this.logger.error(
        `Installer token clean-up failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      return 0;
    }
  }

  private async mint(
    mode: InstallerMode,
    os: InstallerOs,
    o: {
      sessionId?: string;
      createdBy?: string;
      ttlSec: number;
      actor: { type: AuditActorType; id: string | null };
    },
  ): Promise<MintedToken> {
    const token = randomBytes(32).toString('base64url');
    const saved = await this.tokens.manager.transaction(async (m) => {
      const rows = await m.query<{ id: string; expires_at: Date }[]>(
        `INSERT INTO installer_tokens (token_hash, mode, os, session_id, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6)) RETURNING id, expires_at`,
        [hashInstallerToken(token), mode, os, o.sessionId ?? null, o.createdBy ?? null, o.ttlSec],
      );
      const row = rows[0];
      await this.audit.record(
        {
          actorType: o.actor.type,
          actorId: o.actor.id,
          action: 'installer_token.minted',
          targetType: mode === 'quick' ? 'support_session' : 'installer_token',
          targetId: o.sessionId ?? row.id,
          details: { os, mode, tokenId: row.id },
        },
        m,
      );
      return row;
    });
    return { token, expiresAt: new Date(saved.expires_at) };
  }
}
