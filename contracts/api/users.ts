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

/**
 * Which roles may call a route, by what the route does. Every route a signed-in user can call declares
 * one of these (src/access/access.decorator.ts; the portal refuses the others with 403
 * `role_not_allowed`), and the dashboard shows or hides its pages and buttons with the same sets.
 * - `everyone`: the team's read-only views (sessions, their history and live lists) and the caller's
 *   own login. Auditors are in it: reading is what they are for.
 * - `operators`: support work — creating links, starting, ending and driving sessions, running
 *   commands, reaching devices. Admins and technicians; never auditors.
 * - `admins`: users, agent installers, device grants.
 */
export const ROLE_SETS = {
  everyone: ['admin', 'technician', 'auditor'],
  operators: ['admin', 'technician'],
  admins: ['admin'],
  /** Who reads everything and changes nothing of a technician's work: administrators and auditors. */
  readers: ['admin', 'auditor'],
} as const satisfies Record<string, readonly UserRole[]>;
export type RoleSet = keyof typeof ROLE_SETS;

/** Whether `role` is in the named set (a role check the dashboard can make too). */
export const roleIn = (set: RoleSet, role: UserRole): boolean =>
  (ROLE_SETS[set] as readonly UserRole[]).includes(role);

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

/**
 * Someone a quick-support session can be handed to (`GET /api/users/technicians`): an enabled
 * administrator or technician, by name only.
 */
export interface TechnicianView {
  id: string;
  displayName: string;
  role: UserRole;
}

export interface TechnicianListView {
  items: TechnicianView[];
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

/** `GET /api/auth/csrf`: for clients that send neither Origin nor Sec-Fetch-Site (sent back as X-CSRF-Token). */
export interface CsrfTokenView {
  csrfToken: string;
}
