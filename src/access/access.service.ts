import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth-user';
import { accessErrors as errors } from './access.errors';
import { AccessQueries } from './access.queries';
import { isAdmin, readsEverything, readsWholeAuditTrail } from './access-rules';

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
  constructor(private readonly queries: AccessQueries) {}

  /** The caller owns the quick-support session (see supportSessionOwnerId) or is an admin. */
  async assertManagesSupportSession(user: AuthUser, id: string): Promise<void> {
    if (isAdmin(user)) return;
    const session = await this.queries.supportSessionOwner(id);
    if (!session) throw errors.supportSessionNotFound();
    if (session.owner !== user.id) throw errors.notSupportSessionOwner();
  }

  /**
   * The caller reads the quick-support session's own records (its chat): its owner, or someone who
   * reads everything (admins, auditors). Unknown ids answer 404 for everyone.
   */
  async assertReadsSupportSession(user: AuthUser, id: string): Promise<void> {
    const session = await this.queries.supportSessionOwner(id);
    if (!session) throw errors.supportSessionNotFound();
    if (readsEverything(user)) return;
    if (session.owner !== user.id) throw errors.notSupportSessionOwner();
  }

  /**
   * The caller is the remote session's technician or an admin. With `device`, they must also still
   * reach the session's device (a reassigned support session or a withdrawn grant stops reconnects
   * and commands; ending stays possible).
   */
  async assertRunsRemoteSession(user: AuthUser, id: string, opts: { device?: boolean } = {}): Promise<void> {
    if (isAdmin(user)) return;
    const row = await this.queries.remoteSessionRun(id, user.id);
    if (!row) throw errors.remoteSessionNotFound();
    if (row.technicianId !== user.id) throw errors.notRemoteSessionTechnician();
    if (opts.device && !row.reachable) throw errors.deviceAccessDenied();
  }

  /**
   * The caller reads the remote session's audit lines: its technician, or a whole-trail reader (an
   * admin). Unlike {@link assertRunsRemoteSession} this asks nothing about the device: the trail of a
   * session stays readable to its technician after reach to the device was withdrawn.
   */
  async assertReadsRemoteSessionTrail(user: AuthUser, id: string): Promise<void> {
    if (readsWholeAuditTrail(user)) return;
    const row = await this.queries.remoteSessionTechnician(id);
    if (!row) throw errors.remoteSessionNotFound();
    if (row.technicianId !== user.id) throw errors.notRemoteSessionTechnician();
  }

  /**
   * The caller may reach the device (see deviceReachSql) or is an admin. With `exclusive`, no other
   * technician may have a remote session open on it either (Quick Assist acts on the whole desktop,
   * inside whichever session is open there).
   */
  async assertReachesDevice(user: AuthUser, id: string, opts: { exclusive?: boolean } = {}): Promise<void> {
    if (isAdmin(user)) return;
    const row = await this.queries.deviceReach(id, user.id);
    if (!row) throw errors.deviceNotFound();
    if (!row.reachable) throw errors.deviceAccessDenied();
    if (opts.exclusive && row.othersOpen) throw errors.othersRemoteSessionOpen();
  }

  /** Whether the caller may reach the device: for filtering live device events per viewer. */
  async canReachDevice(user: AuthUser, id: string): Promise<boolean> {
    if (isAdmin(user)) return true;
    return this.queries.reachesDevice(id, user.id);
  }
}
