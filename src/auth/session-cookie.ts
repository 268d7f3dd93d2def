/** Name of the dashboard's session cookie. */
export const SESSION_COOKIE = 'qs.sid';
