import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import type { InstallerMode, InstallerOs } from '../../contracts/installer-template';
import { AuditService } from '../audit/audit.service';
import type { AuditActorType } from '../audit/entities/audit-event.entity';
import { AppConfig } from '../config/app-config';
import { ScheduledJobs } from '../metrics/scheduled-jobs';
import type { InstallerToken } from './entities/installer-token.entity';
import { InstallerTokenQueries, LockedInstallerToken } from './installer-token.queries';
import { installerErrors as errors } from './installers.errors';

export const INSTALLER_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Unused tokens are kept this long past expiry (so a late agent hears "expired", not "unknown"). */
const KEEP_EXPIRED_HOURS = 24;
const PURGE_JOB = 'installer-token-expiry';

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
    private readonly tokens: InstallerTokenQueries,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly jobs: ScheduledJobs,
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
    return this.tokens.findUsablePersistent(hashInstallerToken(token));
  }

  /**
   * Locks the token's row inside the registration transaction and checks it can be redeemed: used →
   * 409; unknown or expired → 410; made for another OS → 409. Parallel redemptions queue on the lock,
   * so only the first sees it unused.
   */
  async lockForRedemption(m: EntityManager, token: string, os: InstallerOs): Promise<LockedInstallerToken> {
    if (!INSTALLER_TOKEN_PATTERN.test(token)) throw errors.tokenInvalid();
    const row = await this.tokens.lockByHash(hashInstallerToken(token), m);
    if (!row) throw errors.tokenInvalid();
    if (row.usedAt) throw errors.tokenUsed();
    if (row.expired) throw errors.tokenInvalid();
    if (row.os !== os) throw errors.osMismatch();
    return row;
  }

  /** Marks a locked token used by a device (guarded: a used token is never used twice). */
  async markUsed(m: EntityManager, id: string, deviceId: string): Promise<void> {
    if (!(await this.tokens.markUsed(id, deviceId, m))) throw errors.tokenUsed();
  }

  /** Removes unused tokens a day past expiry and used ones past the retention period. */
  @Interval(PURGE_JOB, 60_000)
  purgeExpired(): Promise<void> {
    return this.jobs.run(PURGE_JOB, async () => {
      const removed = await this.tokens.purge(KEEP_EXPIRED_HOURS, this.config.retentionDays);
      if (removed) this.logger.log(`Removed ${removed} expired installer token(s)`);
    });
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
    const saved = await this.dataSource.transaction(async (m) => {
      const row = await this.tokens.insert(
        {
          tokenHash: hashInstallerToken(token),
          mode,
          os,
          sessionId: o.sessionId ?? null,
          createdBy: o.createdBy ?? null,
          ttlSec: o.ttlSec,
        },
        m,
      );
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
    return { token, expiresAt: new Date(saved.expiresAt) };
  }
}
