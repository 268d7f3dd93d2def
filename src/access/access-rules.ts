import { ROLE_SETS, type UserRole } from '../../contracts/api/users';
import type { AuthUser } from '../common/auth-user';

/**
 * Who owns a quick-support session: the technician it is assigned to, or, while nobody is assigned,
 * the one who created it. Creating a session assigns it to its creator, so in practice the owner is
 * `assigned_to`; the fallback covers rows whose assignee was cleared (the user was removed: the
 * column is `ON DELETE SET NULL`). When both are gone nobody owns it and only admins may act on it.
 *
 * The owner (and every admin) sees the customer link, the private note and the customer's notes,
 * and may end, reassign and connect to the session's device. Every other technician sees the session
 * in the team queue without those fields. {@link SUPPORT_SESSION_OWNER_SQL} is the same rule in SQL;
 * change both together.
 */
export function supportSessionOwnerId(row: {
  assignedToId: string | null;
  createdById: string | null;
}): string | null {
  return row.assignedToId ?? row.createdById;
}

/** {@link supportSessionOwnerId} as an SQL expression over a `support_sessions` alias. */
export const SUPPORT_SESSION_OWNER_SQL = (alias: string): string =>
  `COALESCE(${alias}.assigned_to, ${alias}.created_by)`;

export const isAdmin = (user: AuthUser): boolean => user.role === 'admin';

/** The named role sets routes declare (see contracts/api/users.ts, the dashboard uses them too). */
export { ROLE_SETS, type RoleSet } from '../../contracts/api/users';

/**
 * The roles a route without a declaration is open to. Only the route walk in
 * test/security/route-roles.e2e-spec.ts should ever meet such a route; until it fails, the portal
 * stays closed to auditors there (the role added last can never gain a route by omission).
 */
export const UNDECLARED_ROLES: readonly UserRole[] = ROLE_SETS.operators;

/**
 * "Reads like an admin": sees every technician's sessions, their history and the audit trail, not
 * only their own. Admins and auditors; a technician reads only their own. This is about reading:
 * acting on another technician's session stays with {@link isAdmin}. Routes that list history call
 * {@link readScope} to get the filter.
 */
export const readsEverything = (user: AuthUser): boolean => user.role === 'admin' || user.role === 'auditor';

/**
 * Whose rows a caller may read in the history and the audit trail: `null` for everyone's (admins and
 * auditors, see {@link readsEverything}), else the caller's own id, to filter on the technician column.
 */
export const readScope = (user: AuthUser): { technicianId: string } | null =>
  readsEverything(user) ? null : { technicianId: user.id };

/** Reads every line of the audit trail (and every session's timeline): {@link readsEverything}. */
export const readsWholeAuditTrail = readsEverything;

/** The owner of a quick-support session, or an admin. */
export function managesSupportSession(
  user: AuthUser,
  row: { assignedToId: string | null; createdById: string | null },
): boolean {
  return isAdmin(user) || supportSessionOwnerId(row) === user.id;
}

/**
 * SQL that is true when the technician in `userParam` may reach the device aliased `alias` (a
 * `devices` row). Admins reach every device and never need it.
 * - a quick-support device (`quick`): the owner of its support session;
 * - a persistent device: technicians with a row in `device_grants` for it (groups will join here).
 * `userParam` is the placeholder the caller binds the user id to (`$2`, `:userId`).
 */
export function deviceReachSql(alias: string, userParam: string): string {
  return `(
    (${alias}.kind = 'quick' AND EXISTS (
      SELECT 1 FROM support_sessions ss
       WHERE ss.id = ${alias}.support_session_id AND ${SUPPORT_SESSION_OWNER_SQL('ss')} = ${userParam}))
    OR (${alias}.kind = 'persistent' AND EXISTS (
      SELECT 1 FROM device_grants dg WHERE dg.device_id = ${alias}.id AND dg.user_id = ${userParam}))
  )`;
}
