import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { InstallerMode, InstallerOs } from '../../contracts/installer-template';
import { returningRows } from '../database/returning-rows';
import { InstallerToken } from './entities/installer-token.entity';

export interface NewInstallerToken {
  tokenHash: string;
  mode: InstallerMode;
  os: InstallerOs;
  sessionId: string | null;
  createdBy: string | null;
  ttlSec: number;
}

/** A token row as redemption sees it (locked), with whether it has expired by the database's clock. */
export type LockedInstallerToken = Pick<InstallerToken, 'id' | 'mode' | 'os' | 'sessionId' | 'usedAt'> & {
  expired: boolean;
};

/**
 * Every read and write of `installer_tokens`: the insert, the lookups, the guarded `unused → used`
 * transition and the purge. Each takes the caller's transaction as `m`, or runs on its own; the
 * checks, audit lines and logs are InstallerTokensService's.
 */
@Injectable()
export class InstallerTokenQueries {
  constructor(private readonly dataSource: DataSource) {}

  async insert(v: NewInstallerToken, m?: EntityManager): Promise<{ id: string; expiresAt: Date }> {
    const rows = await this.db(m).query<{ id: string; expiresAt: Date }[]>(
      `INSERT INTO installer_tokens (token_hash, mode, os, session_id, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6)) RETURNING id, expires_at AS "expiresAt"`,
      [v.tokenHash, v.mode, v.os, v.sessionId, v.createdBy, v.ttlSec],
    );
    return rows[0];
  }

  /** An unused, unexpired persistent token by its hash; null otherwise. */
  findUsablePersistent(tokenHash: string, m?: EntityManager): Promise<InstallerToken | null> {
    return this.db(m)
      .getRepository(InstallerToken)
      .createQueryBuilder('t')
      .where('t.token_hash = :hash', { hash: tokenHash })
      .andWhere(`t.mode = 'persistent'`)
      .andWhere('t.used_at IS NULL')
      .andWhere('t.expires_at > now()')
      .getOne();
  }

  /** The token's row, locked until `m` commits (parallel redemptions queue here); null if unknown. */
  async lockByHash(tokenHash: string, m: EntityManager): Promise<LockedInstallerToken | null> {
    const rows = await m.query<LockedInstallerToken[]>(
      `SELECT id, mode, os, session_id AS "sessionId", used_at AS "usedAt", expires_at <= now() AS expired
         FROM installer_tokens WHERE token_hash = $1 FOR UPDATE`,
      [tokenHash],
    );
    return rows[0] ?? null;
  }

  /** `unused → used` by a device; false when it was already used. */
  async markUsed(id: string, deviceId: string, m?: EntityManager): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      this.db(m),
      `UPDATE installer_tokens SET used_at = now(), device_id = $2 WHERE id = $1 AND used_at IS NULL RETURNING id`,
      [id, deviceId],
    );
    return rows.length > 0;
  }

  /** Removes unused tokens `keepExpiredHours` past expiry and used ones past the retention period. */
  async purge(keepExpiredHours: number, retentionDays: number, m?: EntityManager): Promise<number> {
    const rows = await returningRows<{ id: string }>(
      this.db(m),
      `DELETE FROM installer_tokens
        WHERE (used_at IS NULL AND expires_at < now() - make_interval(hours => $1))
           OR (used_at IS NOT NULL AND used_at < now() - make_interval(days => $2))
        RETURNING id`,
      [keepExpiredHours, retentionDays],
    );
    return rows.length;
  }

  private db(m?: EntityManager): EntityManager {
    return m ?? this.dataSource.manager;
  }
}
