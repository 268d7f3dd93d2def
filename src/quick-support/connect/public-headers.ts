import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { randomBytes } from 'node:crypto';

/** The strict policy every `/support` response gets unless a page sets its nonce'd one. */
const BASE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Headers for everything under `/support` (the public connect page and its endpoints), errors and
 * 404s included: never cached, no referrer, not indexed, no powerful features, and the strict CSP.
 * Runs after the portal-wide helmet headers (src/common/http/security-headers.ts: no sniffing, no
 * framing, opener and resource policies, HSTS over https) and replaces their CSP and Referrer-Policy
 * with these stricter ones.
 */
export function publicHeadersMiddleware(): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
    res.setHeader('Content-Security-Policy', BASE_CSP);
    next();
  };
}

export function newNonce(): string {
  return randomBytes(18).toString('base64');
}

/**
 * The connect page's policy: its own nonce'd style and script, fetches to itself, forms to itself.
 * `logoUrl`: BRAND_LOGO_URL (validated https at boot), whose origin the page's images may come from.
 */
export function pageCsp(nonce: string, logoUrl?: string | null): string {
  const logoOrigin = logoUrl ? new URL(logoUrl).origin : undefined;
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    `img-src 'self' data:${logoOrigin ? ` ${logoOrigin}` : ''}`,
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}
