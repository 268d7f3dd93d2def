/**
 * The dashboard's top-level paths: the Angular router's (client/src/app/app.routes.ts) and the
 * portal's, which answers a GET for `/`, one of these or anything under one of them with the
 * dashboard's index.html, and 404 for every other path (`/.env`, `/wp-admin`…). One list, so a new
 * page cannot be routed in the browser yet 404 on reload; test/unit/dashboard-routes.spec.ts checks
 * that app.routes.ts uses exactly these.
 */
export const DASHBOARD_PATHS = {
  login: 'login',
  viewer: 'viewer',
  quickSupport: 'quick-support',
  remoteSessions: 'remote-sessions',
  recordings: 'recordings',
  audit: 'audit',
  admin: 'admin',
} as const;

export type DashboardPath = (typeof DASHBOARD_PATHS)[keyof typeof DASHBOARD_PATHS];

const TOP_LEVEL: ReadonlySet<string> = new Set(Object.values(DASHBOARD_PATHS));

/** True for `/`, `/quick-support`, `/quick-support/…` and the like; false for any other path. */
export function isDashboardPath(path: string): boolean {
  if (path === '/' || path === '') return true;
  const first = /^\/([^/]+)(?:\/|$)/.exec(path)?.[1];
  return first !== undefined && TOP_LEVEL.has(first);
}
