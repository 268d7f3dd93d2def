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

/**
 * The roles that read the whole audit trail; everyone else reads the lines of their own remote
 * sessions. An auditor role reading like an administrator is one more entry here.
 */
export const AUDIT_TRAIL_READERS: readonly AuthUser['role'][] = ['admin'];

/** Reads every line of the audit trail (and every session's timeline). */
export const readsWholeAuditTrail = (user: AuthUser): boolean => AUDIT_TRAIL_READERS.includes(user.role);

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
