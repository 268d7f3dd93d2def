import type { UserRole } from '../../contracts/api/users';

/** Metadata key of the rule an access decorator puts on a route. */
export const ACCESS_RULE = 'qs:access';

/** Metadata key of the roles an access decorator lets call a route (read by {@link RoleGuard}). */
export const ROUTE_ROLES = 'qs:roles';

/** Where the guard finds the id a rule is about. */
export type IdSource = { param: string } | { body: string };

export type AccessRule =
  | { kind: 'team' }
  | { kind: 'history' }
  | { kind: 'own-account' }
  | { kind: 'admin' }
  | { kind: 'support-session'; from: IdSource }
  /** Reading one quick-support session's own records (its chat): the owner, admins and auditors. */
  | { kind: 'support-session-read'; from: IdSource }
  | { kind: 'remote-session'; from: IdSource; device: boolean }
  | { kind: 'device'; from: IdSource; exclusive: boolean }
  /**
   * The audit trail: whole-trail readers (admins and auditors, see readsEverything) read every line; a technician the
   * lines of their own remote sessions. Without `from` the route narrows its answer to what the caller
   * may read; with it, the caller must be a whole-trail reader or the session's technician.
   */
  | { kind: 'audit-trail'; from?: IdSource };

/** A route's declared roles, as the decorators store them. */
export type RouteRoles = readonly UserRole[];
