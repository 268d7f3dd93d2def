import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { randomBytes } from 'node:crypto';

/** The strict policy every `/support` response gets unless a page sets its nonce'd one. */
const BASE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Headers for everything under `/support` (the public connect page and its endpoints), errors and
 * 404s included: never cached, never framed, no referrer, no sniffing, HSTS when served over https.
 */
export function publicHeadersMiddleware(portalIsHttps: boolean): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
    res.setHeader('Content-Security-Policy', BASE_CSP);
    if (req.secure || portalIsHttps)
      res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  };
}

export function newNonce(): string {
  return randomBytes(18).toString('base64');
}

/**
 * The connect page's policy: its own nonce'd style and script, fetches to itself, forms to itself.
 * `logoOrigin`: where BRAND_LOGO_URL points, when the page shows that logo.
 */
export function pageCsp(nonce: string, logoOrigin?: string): string {
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
