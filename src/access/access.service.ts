import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../common/auth-user';
import { accessErrors as errors } from './access.errors';
import {
  deviceReachSql,
  isAdmin,
  readsEverything,
  readsWholeAuditTrail,
  SUPPORT_SESSION_OWNER_SQL,
} from './access-rules';

/**
 * The technician-isolation checks, one query each. Routes reach them through the decorators in
 * `access.decorator.ts` (the guard calls these before the handler runs); the dashboard's live stream
 * calls {@link canReachDevice} per event. Admins pass every check without a query: an unknown id
 * then gets the route's own 404.
 *
 * Each check answers 404 for an id that does not exist and 403 (`not_session_owner`,
 * `device_access_denied`) for one that does: sessions are visible to the whole team anyway, and
 * device ids only travel inside sessions and device lists, so a 403 tells nobody anything new.
 */
@Injectable()
export class AccessService {
  constructor(private readonly dataSource: DataSource) {}

  /** The caller owns the quick-support session (see supportSessionOwnerId) or is an admin. */
  async assertManagesSupportSession(user: AuthUser, id: string): Promise<void> {
    if (isAdmin(user)) return;
    const rows = await this.dataSource.query<{ owner: string | null }[]>(
      `SELECT ${SUPPORT_SESSION_OWNER_SQL('s')} AS owner FROM support_sessions s WHERE s.id = $1`,
      [id],
    );
    if (!rows[0]) throw errors.supportSessionNotFound();
    if (rows[0].owner !== user.id) throw errors.notSupportSessionOwner();
  }

  /**
   * The caller reads the quick-support session's own records (its chat): its owner, or someone who
   * reads everything (admins, auditors). Unknown ids answer 404 for everyone.
   */
  async assertReadsSupportSession(user: AuthUser, id: string): Promise<void> {
    const rows = await this.dataSource.query<{ owner: string | null }[]>(
      `SELECT ${SUPPORT_SESSION_OWNER_SQL('s')} AS owner FROM support_sessions s WHERE s.id = $1`,
      [id],
    );
    if (!rows[0]) throw errors.supportSessionNotFound();
    if (readsEverything(user)) return;
    if (rows[0].owner !== user.id) throw errors.notSupportSessionOwner();
  }

  /**
   * The caller is the remote session's technician or an admin. With `device`, they must also still
   * reach the session's device (a reassigned support session or a withdrawn grant stops reconnects
   * and commands; ending stays possible).
   */
  async assertRunsRemoteSession(user: AuthUser, id: string, opts: { device?: boolean } = {}): Promise<void> {
    if (isAdmin(user)) return;
    const rows = await this.dataSource.query<{ technician_id: string | null; reachable: boolean }[]>(
      `SELECT rs.technician_id, ${deviceReachSql('d', '$2')} AS reachable
         FROM remote_sessions rs JOIN devices d ON d.id = rs.device_id
        WHERE rs.id = $1`,
      [id, user.id],
    );
    const row = rows[0];
    if (!row) throw errors.remoteSessionNotFound();
    if (row.technician_id !== user.id) throw errors.notRemoteSessionTechnician();
    if (opts.device && !row.reachable) throw errors.deviceAccessDenied();
  }

  /**
   * The caller reads the remote session's audit lines: its technician, or a whole-trail reader (an
   * admin). Unlike {@link assertRunsRemoteSession} this asks nothing about the device: the trail of a
   * session stays readable to its technician after reach to the device was withdrawn.
   */
  async assertReadsRemoteSessionTrail(user: AuthUser, id: string): Promise<void> {
    if (readsWholeAuditTrail(user)) return;
    const rows = await this.dataSource.query<{ technician_id: string | null }[]>(
      `SELECT rs.technician_id FROM remote_sessions rs WHERE rs.id = $1`,
      [id],
    );
    if (!rows[0]) throw errors.remoteSessionNotFound();
    if (rows[0].technician_id !== user.id) throw errors.notRemoteSessionTechnician();
  }

  /**
   * The caller may reach the device (see deviceReachSql) or is an admin. With `exclusive`, no other
   * technician may have a remote session open on it either (Quick Assist acts on the whole desktop,
   * inside whichever session is open there).
   */
  async assertReachesDevice(user: AuthUser, id: string, opts: { exclusive?: boolean } = {}): Promise<void> {
    if (isAdmin(user)) return;
    const rows = await this.dataSource.query<{ reachable: boolean; others_open: boolean }[]>(
      `SELECT ${deviceReachSql('d', '$2')} AS reachable,
              EXISTS (SELECT 1 FROM remote_sessions rs
                       WHERE rs.device_id = d.id AND rs.status <> 'ended'
                         AND rs.technician_id IS DISTINCT FROM $2) AS others_open
         FROM devices d WHERE d.id = $1`,
      [id, user.id],
    );
    const row = rows[0];
    if (!row) throw errors.deviceNotFound();
    if (!row.reachable) throw errors.deviceAccessDenied();
    if (opts.exclusive && row.others_open) throw errors.othersRemoteSessionOpen();
  }

  /** Whether the caller may reach the device: for filtering live device events per viewer. */
  async canReachDevice(user: AuthUser, id: string): Promise<boolean> {
    if (isAdmin(user)) return true;
    const rows = await this.dataSource.query<{ reachable: boolean }[]>(
      `SELECT ${deviceReachSql('d', '$2')} AS reachable FROM devices d WHERE d.id = $1`,
      [id, user.id],
    );
    return rows[0]?.reachable === true;
  }
}
