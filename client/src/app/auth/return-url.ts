export const DEFAULT_PAGE = '/quick-support';

/**
 * The page to open after signing in. Only an in-app absolute path is accepted (no scheme, no
 * protocol-relative `//host`, not the login page itself), so a crafted link cannot bounce anywhere else.
 */
export function safeReturnUrl(candidate: string | null | undefined): string {
  if (!candidate || !candidate.startsWith('/') || candidate.startsWith('//') || candidate.includes('\\')) {
    return DEFAULT_PAGE;
  }
  if (candidate === '/' || candidate.startsWith('/login')) return DEFAULT_PAGE;
  return candidate;
}
