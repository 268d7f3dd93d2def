import type { UserRole } from '../../../../contracts/api/users';

/** The API's shapes are the portal's own (contracts/api/users.ts); the dashboard's names for them. */
export type { UserRole, UserView as UserDto } from '../../../../contracts/api/users';

export const ROLE_LABELS: Readonly<Record<UserRole, string>> = {
  admin: 'Admin',
  technician: 'Technician',
};
