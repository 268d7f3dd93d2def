/** Name of the dashboard's session cookie over plain http (development, tests, a lab without TLS). */
export const SESSION_COOKIE = 'qs.sid';

/** How the session cookie is set; the logout's clearing must use the same name, path and Secure flag. */
export interface SessionCookieOptions {
  readonly name: string;
  readonly path: '/';
  readonly httpOnly: true;
  readonly sameSite: 'lax';
  /** `true` over https; `'auto'` (Secure when the request came over TLS) on a plain-http origin. */
  readonly secure: true | 'auto';
}

/**
 * The session cookie for a portal origin. Over https its name carries the `__Host-` prefix, so a
 * browser accepts it only with Secure, Path=/ and no Domain: a sibling subdomain or a plain-http
 * page cannot plant or overwrite it.
 */
export function sessionCookieOptions(portalOrigin: string): SessionCookieOptions {
  const https = portalOrigin.startsWith('https:');
  return {
    name: https ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE,
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: https ? true : 'auto',
  };
}
