import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { PAGE_PASS_TTL_SEC } from './rate-limit.policies';

export const PAGE_PASS_COOKIE = 'qs_page_pass';
const CONNECT_PREFIX = '/support/connect/';

/**
 * A short-lived proof that this browser loaded the connect page of one link: an HMAC, with a key
 * derived from SESSION_SECRET, over the token's SHA-256 and an expiry, never the token itself. The
 * cookie is HttpOnly, SameSite=Strict and scoped to that link's path, so the browser sends it only
 * to that link's status, note and download routes. It lets a customer keep polling while someone
 * else's guessing has spent the miss budget of their address or network.
 */
@Injectable()
export class PagePass {
  private readonly key: Buffer;
  private readonly secure: boolean;

  constructor(config: AppConfig) {
    this.key = Buffer.from(hkdfSync('sha256', config.sessionSecret, 'portal/v1', 'connect-page-pass', 32));
    this.secure = config.portalOrigin.startsWith('https:');
  }

  /** Sets (or renews) the pass for `token` on the response. */
  issue(res: Response, token: string, now = Date.now()): void {
    const expires = Math.floor(now / 1000) + PAGE_PASS_TTL_SEC;
    res.cookie(PAGE_PASS_COOKIE, `${expires}.${this.mac(token, expires)}`, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.secure,
      path: `${CONNECT_PREFIX}${token}`,
      maxAge: PAGE_PASS_TTL_SEC * 1000,
    });
  }

  /** True when the request carries an unexpired pass for `token`. */
  holds(req: Request, token: string, now = Date.now()): boolean {
    for (const value of cookieValues(req.get('cookie'), PAGE_PASS_COOKIE)) {
      const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
      if (!m?.[1] || !m[2]) continue;
      const expires = Number(m[1]);
      if (expires * 1000 <= now) continue;
      const expected = Buffer.from(this.mac(token, expires));
      const given = Buffer.from(m[2]);
      if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
    }
    return false;
  }

  private mac(token: string, expires: number): string {
    const tokenHash = createHash('sha256').update(token).digest('hex');
    return createHmac('sha256', this.key).update(`${tokenHash}.${expires}`).digest('base64url');
  }
}

/** Every value of cookie `name` in a Cookie header (a browser may send several, by path). */
function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  return header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${name}=`))
    .map((part) => part.slice(name.length + 1));
}
