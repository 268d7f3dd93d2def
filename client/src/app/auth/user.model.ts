import type { UserRole } from '../../../../contracts/api/users';

/** The API's shapes are the portal's own (contracts/api/users.ts); the dashboard's names for them. */
export type { RoleSet, UserRole, UserView as UserDto } from '../../../../contracts/api/users';
export { roleIn } from '../../../../contracts/api/users';

export const ROLE_LABELS: Readonly<Record<UserRole, string>> = {
  admin: 'Admin',
  technician: 'Technician',
  auditor: 'Auditor',
};

/** What each role may do, in one line (the Add-user and role pickers). */
export const ROLE_HINTS: Readonly<Record<UserRole, string>> = {
  technician: 'Runs support sessions',
  admin: 'Also manages users and installers',
  auditor: 'Reads session history; cannot start or end sessions',
};
