import type { Request, Response } from 'express';
import type { AppConfig } from '../../config/app-config';
import { PAGE_PASS_COOKIE, PagePass } from './page-pass';
import { PAGE_PASS_TTL_SEC } from './rate-limit.policies';

const config = { sessionSecret: 's'.repeat(40), portalOrigin: 'https://portal.example.test' } as AppConfig;
const TOKEN = 'A'.repeat(43);

function issued(
  pass: PagePass,
  token: string,
  now: number,
): { value: string; options: Record<string, unknown> } {
  let out: { value: string; options: Record<string, unknown> } | undefined;
  const res = {
    cookie: (name: string, value: string, options: Record<string, unknown>) => {
      expect(name).toBe(PAGE_PASS_COOKIE);
      out = { value, options };
    },
  } as unknown as Response;
  pass.issue(res, token, now);
  return out!;
}

const request = (cookie: string): Request => ({ get: () => cookie }) as unknown as Request;

describe('PagePass', () => {
  const pass = new PagePass(config);
  const now = Date.UTC(2026, 0, 1);

  it('is an HttpOnly, SameSite=Strict, Secure cookie scoped to the link, holding no token', () => {
    const { value, options } = issued(pass, TOKEN, now);
    expect(options).toMatchObject({
      httpOnly: true,
      sameSite: 'strict',
      secure: true,
      path: `/support/connect/${TOKEN}`,
      maxAge: PAGE_PASS_TTL_SEC * 1000,
    });
    expect(value).not.toContain(TOKEN);
  });

  it('lets its link through until it expires, and no other link', () => {
    const { value } = issued(pass, TOKEN, now);
    const req = request(`other=1; ${PAGE_PASS_COOKIE}=${value}`);
    expect(pass.holds(req, TOKEN, now + 1000)).toBe(true);
    expect(pass.holds(req, 'B'.repeat(43), now + 1000)).toBe(false);
    expect(pass.holds(req, TOKEN, now + PAGE_PASS_TTL_SEC * 1000)).toBe(false);
  });

  it('refuses a forged or altered pass and one made with another key', () => {
    const { value } = issued(pass, TOKEN, now);
    const [expires, mac] = value.split('.');
    const later = `${Number(expires) + 3600}.${mac}`;
    expect(pass.holds(request(`${PAGE_PASS_COOKIE}=${later}`), TOKEN, now)).toBe(false);
    expect(pass.holds(request(`${PAGE_PASS_COOKIE}=${expires}.${'x'.repeat(43)}`), TOKEN, now)).toBe(false);
    const other = new PagePass({ ...config, sessionSecret: 't'.repeat(40) });
    expect(other.holds(request(`${PAGE_PASS_COOKIE}=${value}`), TOKEN, now)).toBe(false);
  });
});
