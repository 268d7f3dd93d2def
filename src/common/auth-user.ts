/** The technician attached to an authenticated request (`req.user`). */
export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  role: 'admin' | 'technician';
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
