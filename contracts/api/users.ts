/**
 * Technician accounts and signing in, as `/api/users` and `/api/auth` speak them. The portal's DTO
 * classes implement these shapes and validate with these lists and limits; the dashboard types its
 * requests and forms with them. Dates are ISO-8601 strings.
 */

/**
 * Admins manage technicians and may act on every session and device; technicians do the support work
 * (on their own sessions and the devices they reach); auditors only read: the session history and the
 * audit trail, everyone's, and never start, end or reach anything.
 */
export const USER_ROLES = ['admin', 'technician', 'auditor'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Bounds on what a user form may send (`CreateUserDto`, `UpdateUserDto`); the dashboard's forms use them too. */
export const USER_LIMITS = {
  emailMax: 254,
  displayNameMax: 100,
  passwordMin: 12,
  passwordMax: 256,
} as const;

/** A technician account (`UserDto`). */
export interface UserView {
  id: string;
  email: string;
  displayName: string;
  role: UserRole;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface UserListView {
  items: UserView[];
}

/** `POST /api/users`. */
export interface CreateUserRequest {
  email: string;
  displayName: string;
  role: UserRole;
  /** Leave out to let the portal generate one (returned once as `initialPassword`). */
  password?: string;
}

export interface CreatedUserView {
  user: UserView;
  /** Present only when the portal generated the password. It is never retrievable again. */
  initialPassword?: string;
}

/** `PATCH /api/users/:id`. */
export interface UpdateUserRequest {
  displayName?: string;
  role?: UserRole;
  /** true signs the user out everywhere. */
  disabled?: boolean;
  password?: string;
}

/** `POST /api/auth/login`. */
export interface LoginRequest {
  email: string;
  password: string;
}

export interface LoginResultView {
  user: UserView;
}
