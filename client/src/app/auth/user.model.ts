/** Roles the portal knows (src/auth). Admins manage technicians; technicians do the support work. */
export type UserRole = 'admin' | 'technician';

/** A technician account as the API returns it (`UserDto`). Dates are ISO-8601 strings. */
export interface UserDto {
  id: string;
  email: string;
  displayName: string;
  role: UserRole;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export const ROLE_LABELS: Readonly<Record<UserRole, string>> = {
  admin: 'Admin',
  technician: 'Technician',
};
