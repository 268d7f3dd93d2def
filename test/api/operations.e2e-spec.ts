import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { deriveRelayKey } from '../../contracts/node/relay-keys';
import { signRelayRequest } from '../../contracts/node/relay-signature';
import { CLIENT_DIR } from '../../src/app-setup';
import { AuditOutboxJob } from '../../src/audit/audit-outbox.job';
import { TEST_RELAY_SECRET, createTestApp, type TestApp } from '../support/test-app';

jest.setTimeout(120_000);

const METRICS_TOKEN = 'portal-metrics-token-0123456789';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const DASHBOARD_BUILT = existsSync(join(CLIENT_DIR, 'index.html'));

/** How many times the response carried this header. */
function headerCount(res: request.Response, name: string): number {
  const raw = (res as unknown as { res: IncomingMessage }).res.rawHeaders;
  return raw.filter((h, i) => i % 2 === 0 && h.toLowerCase() === name).length;
}

/** The sample lines of one metric (`name{labels} value`), without its HELP and TYPE lines. */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

describe('GET /metrics with the defaults (loopback callers only)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('serves the Prometheus text format to a local caller, with every portal metric', async () => {
    await t.http().get('/api/auth/me').expect(401);
    const sid = randomUUID();
    const at = new Date().toISOString();
    const body = JSON.stringify({
      events: [{ id: randomUUID(), type: 'paired', sessionId: sid, channel: 'screen', at }],
    });
    const signed = signRelayRequest(deriveRelayKey(TEST_RELAY_SECRET, 'signing'), 'events', body);
    const post = () =>
      t.http().post('/api/relay/events').set('content-type', 'application/json').set(signed).send(body);
    await post().expect(200);
    await post().expect(200);
    await t.http().post('/api/relay/events').set('content-type', 'application/json').send(body).expect(401);
    await t.app.get(AuditOutboxJob).tick();

    const res = await t.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8/);
    expect(res.headers['cache-control']).toBe('no-store');
    const text = res.text;

    // Request durations by route template, method and status code.
    expect(text).toContain('# TYPE portal_http_request_duration_seconds histogram');
    expect(text).toMatch(
      /portal_http_request_duration_seconds_count\{route="\/api\/auth\/me",method="GET",status_code="401"\} 1\n/,
    );
    expect(text).toMatch(
      /portal_http_request_duration_seconds_count\{route="\/api\/relay\/events",method="POST",status_code="200"\} 2\n/,
    );
    // Gauges read at scrape time, every state present.
    expect(samples(text, 'portal_quick_support_sessions').sort()).toEqual([
      'portal_quick_support_sessions{state="active"} 0',
      'portal_quick_support_sessions{state="ended"} 0',
      'portal_quick_support_sessions{state="waiting"} 0',
    ]);
    expect(samples(text, 'portal_remote_sessions').sort()).toEqual([
      'portal_remote_sessions{state="active"} 0',
      'portal_remote_sessions{state="ended"} 0',
      'portal_remote_sessions{state="pending"} 0',
    ]);
    expect(samples(text, 'portal_agent_connections')).toEqual(['portal_agent_connections 0']);
    // Relay events: the first delivery applied, the retry a duplicate, the unsigned batch refused.
    expect(text).toContain('portal_relay_events_received_total{type="paired",outcome="applied"} 1\n');
    expect(text).toContain('portal_relay_events_received_total{type="paired",outcome="duplicate"} 1\n');
    expect(text).toContain('portal_relay_event_batches_refused_total{reason="bad_signature"} 1\n');
    expect(text).toContain('portal_scheduled_job_runs_total{job="audit-outbox-flush",outcome="success"}');
    expect(text).toMatch(
      /portal_scheduled_job_last_success_timestamp_seconds\{job="audit-outbox-flush"\} \d/,
    );
    expect(text).toMatch(/portal_build_info\{version="[^"]+"\} 1/);
    // Default process metrics.
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ])
      expect(text).toContain(`# TYPE ${name} `);
    // No id or token ever becomes a label value.
    expect(text).not.toContain(sid);
  });

  it('labels unknown addresses "unmatched", never by their path', async () => {
    const probe = `/api/nothing-here-${randomUUID()}`;
    await t.http().get(probe).expect(404);
    const text = (await t.http().get('/metrics').expect(200)).text;
    expect(text).not.toContain(probe);
    expect(text).toMatch(
      /portal_http_request_duration_seconds_count\{route="unmatched",method="GET",status_code="404"\} \d/,
    );
  });

  it('refuses callers that came through a proxy (forwarding headers), even from loopback', async () => {
    for (const [header, value] of [
      ['X-Forwarded-For', '203.0.113.9'],
      ['Forwarded', 'for=203.0.113.9'],
      ['X-Real-IP', '203.0.113.9'],
    ]) {
      const res = await t.http().get('/metrics').set(header, value).expect(403);
      expect(res.body).toEqual({ code: 'forbidden', message: expect.stringContaining('local') });
      expect(res.text).not.toContain('portal_');
    }
  });
});

describe('GET /metrics with PORTAL_METRICS_TOKEN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ PORTAL_METRICS_TOKEN: METRICS_TOKEN });
  });
  afterAll(() => t.close());

  it('asks for the bearer token, refuses a wrong one, and accepts the right one from behind a proxy', async () => {
    const missing = await t.http().get('/metrics').expect(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="portal-metrics"');
    expect(missing.body).toMatchObject({ code: 'unauthenticated' });
    await t.http().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}x`).expect(401);
    await t.http().get('/metrics').set('Authorization', METRICS_TOKEN).expect(401);
    const ok = await t
      .http()
      .get('/metrics')
      .set('Authorization', `Bearer ${METRICS_TOKEN}`)
      .set('X-Forwarded-For', '203.0.113.9')
      .expect(200);
    expect(ok.text).toContain('# TYPE portal_http_request_duration_seconds histogram');
  });
});

describe('PORTAL_METRICS=off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ PORTAL_METRICS: 'off' });
  });
  afterAll(() => t.close());

  it('answers /metrics with 404, for scrapers and browsers alike', async () => {
    const res = await t.http().get('/metrics').expect(404);
    expect(res.body).toEqual({ code: 'not_found', message: expect.any(String) });
    await t.http().get('/metrics').set('Accept', BROWSER_ACCEPT).expect(404);
  });
});

describe('addresses that are not the portal’s', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it.each(['/.env', '/wp-admin', '/wp-admin/install.php', '/favicon.php', '/quick-supportx', '/metrics/x'])(
    '%s is a 404: { code, message } for scripts, a small page for browsers',
    async (path) => {
      const scripted = await t.http().get(path).expect(404);
      expect(scripted.headers['content-type']).toMatch(/^application\/json/);
      expect(scripted.body).toEqual({ code: 'not_found', message: 'Nothing was found at this address.' });
      const browser = await t.http().get(path).set('Accept', BROWSER_ACCEPT).expect(404);
      expect(browser.headers['content-type']).toMatch(/^text\/html/);
      expect(browser.text).toContain('<h1>Page not found</h1>');
      expect(browser.text).not.toContain('<app-root');
      await t.http().post(path).send({}).expect(404);
    },
  );

  it.each([
    '/',
    '/login',
    '/quick-support',
    '/quick-support/3f2a',
    '/remote-sessions',
    '/audit',
    '/admin/users',
    '/viewer/x',
  ])('%s is a dashboard page: index.html for a browser', async (path) => {
    const res = await t.http().get(path).set('Accept', BROWSER_ACCEPT);
    if (DASHBOARD_BUILT) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('<app-root');
    } else {
      // Without `npm run build:client` the page is missing, and says so (never a 404).
      expect(res.status).toBe(503);
      expect(res.text).toContain('npm run build:client');
    }
  });

  it('answers a JSON-only request for a dashboard page with 404 JSON', async () => {
    const res = await t.http().get('/quick-support').set('Accept', 'application/json').expect(404);
    expect(res.body).toMatchObject({ code: 'not_found' });
  });
});

describe('security headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RELAY_PUBLIC_URL: 'ws://127.0.0.1:3999' });
  });
  afterAll(() => t.close());

  const expectHelmet = (res: request.Response): void => {
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    // WebAssembly for the shell recordings' player, never eval() of JavaScript.
    expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-eval'/);
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:3999");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(res.headers['x-powered-by']).toBeUndefined();
    // An http portal: no HSTS (an https one gets it; see connect-page.e2e-spec.ts).
    expect(res.headers['strict-transport-security']).toBeUndefined();
  };

  it('are on the API, its errors, the dashboard and 404s, each header once', async () => {
    for (const res of [
      await t.http().get('/api/health').expect(200),
      await t.http().get('/api/auth/me').expect(401),
      await t.http().get('/login').set('Accept', BROWSER_ACCEPT),
      await t.http().get('/.env').set('Accept', BROWSER_ACCEPT).expect(404),
      await t.http().get('/metrics').expect(200),
    ]) {
      expectHelmet(res);
      for (const name of ['content-security-policy', 'x-frame-options', 'referrer-policy'])
        expect(`${name}: ${headerCount(res, name)}`).toBe(`${name}: 1`);
    }
  });

  it('leave the connect page its own stricter policies', async () => {
    // The page (here its "link not valid" answer) has its nonce'd policy, with nothing from 'self'.
    const page = await t.http().get('/support/connect/not-a-real-token').expect(404);
    expect(page.headers['content-security-policy']).toMatch(
      /^default-src 'none'; script-src 'nonce-[^']+'; style-src 'nonce-[^']+'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'$/,
    );
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(headerCount(page, 'content-security-policy')).toBe(1);
    // Anything else under /support keeps the strictest policy.
    const res = await t.http().get('/support/nothing-here').expect(404);
    expect(res.body).toMatchObject({ code: 'not_found' });
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-robots-tag']).toBe('noindex, nofollow');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(headerCount(res, 'content-security-policy')).toBe(1);
  });
});
