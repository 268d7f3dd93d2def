import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { deviceReachSql, SUPPORT_SESSION_OWNER_SQL } from './access-rules';

/**
 * The reads behind the technician-isolation checks, one query each: who owns a quick-support session,
 * who runs a remote session, and whether a technician reaches a device (the rules' SQL is in
 * access-rules.ts). Each answers `undefined` for an id that does not exist, so the checks can tell 404
 * from 403; each takes the caller's transaction as `m`, or runs on its own. Deciding who may is
 * AccessService's.
 */
@Injectable()
export class AccessQueries {
  constructor(private readonly dataSource: DataSource) {}

  /** The quick-support session's owner (see SUPPORT_SESSION_OWNER_SQL). */
  async supportSessionOwner(id: string, m?: EntityManager): Promise<{ owner: string | null } | undefined> {
    const rows = await this.db(m).query<{ owner: string | null }[]>(
      `SELECT ${SUPPORT_SESSION_OWNER_SQL('s')} AS owner FROM support_sessions s WHERE s.id = $1`,
      [id],
    );
    return rows[0];
  }

  /** The remote session's technician, and whether `userId` still reaches the session's device. */
  async remoteSessionRun(
    id: string,
    userId: string,
    m?: EntityManager,
  ): Promise<{ technicianId: string | null; reachable: boolean } | undefined> {
    const rows = await this.db(m).query<{ technicianId: string | null; reachable: boolean }[]>(
      `SELECT rs.technician_id AS "technicianId", ${deviceReachSql('d', '$2')} AS reachable
         FROM remote_sessions rs JOIN devices d ON d.id = rs.device_id
        WHERE rs.id = $1`,
      [id, userId],
    );
    return rows[0];
  }

  /** The remote session's technician (nothing about its device). */
  async remoteSessionTechnician(
    id: string,
    m?: EntityManager,
  ): Promise<{ technicianId: string | null } | undefined> {
    const rows = await this.db(m).query<{ technicianId: string | null }[]>(
      `SELECT rs.technician_id AS "technicianId" FROM remote_sessions rs WHERE rs.id = $1`,
      [id],
    );
    return rows[0];
  }

  /**
   * Whether `userId` reaches the device, and whether another technician has a remote session open on
   * it.
   */
  async deviceReach(
    id: string,
    userId: string,
    m?: EntityManager,
  ): Promise<{ reachable: boolean; othersOpen: boolean } | undefined> {
    const rows = await this.db(m).query<{ reachable: boolean; othersOpen: boolean }[]>(
      `SELECT ${deviceReachSql('d', '$2')} AS reachable,
              EXISTS (SELECT 1 FROM remote_sessions rs
                       WHERE rs.device_id = d.id AND rs.status <> 'ended'
                         AND rs.technician_id IS DISTINCT FROM $2) AS "othersOpen"
         FROM devices d WHERE d.id = $1`,
      [id, userId],
    );
    return rows[0];
  }

  /** Whether `userId` reaches the device; false for an unknown device. */
  async reachesDevice(id: string, userId: string, m?: EntityManager): Promise<boolean> {
    const rows = await this.db(m).query<{ reachable: boolean }[]>(
      `SELECT ${deviceReachSql('d', '$2')} AS reachable FROM devices d WHERE d.id = $1`,
      [id, userId],
    );
    return rows[0]?.reachable === true;
  }

  private db(m?: EntityManager): EntityManager {
    return m ?? this.dataSource.manager;
  }
}
