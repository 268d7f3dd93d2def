import type { UserRole } from '../../contracts/api/users';

/** The technician attached to an authenticated request (`req.user`). */
export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  role: UserRole;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends AuthUser {}
  }
}

declare module 'express-session' {
  interface SessionData {
    csrfToken?: string;
  }
}
