import { randomUUID } from 'node:crypto';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createTestApp, type TestApp } from '../support/test-app';

jest.setTimeout(120_000);

type Caller = 'admin' | 'technician' | 'auditor' | 'nobody';
const CALLERS: readonly Caller[] = ['admin', 'technician', 'auditor', 'nobody'];

const PUBLIC: readonly Caller[] = CALLERS;
const EVERYONE: readonly Caller[] = ['admin', 'technician', 'auditor'];
const OPERATORS: readonly Caller[] = ['admin', 'technician'];
const ADMINS: readonly Caller[] = ['admin'];
const READERS: readonly Caller[] = ['admin', 'auditor'];

/**
 * Every route of the OpenAPI document, with the callers that pass its role check ("nobody" is a
 * request without a login). A route the portal serves that is missing here, or a row here that the
 * portal does not serve, fails the walk: a new route must say who may call it. (Routes left out of
 * the document, like the relay's signed event callback, are held by the route-table check in
 * technician-isolation.e2e-spec.ts.)
 */
const ROUTE_ROLES: Record<string, readonly Caller[]> = {
  'GET /api/health': PUBLIC,
  'GET /metrics': PUBLIC,
  'GET /api/branding': PUBLIC,
  'GET /api/branding/logo': PUBLIC,
  'POST /api/auth/login': PUBLIC,
  'GET /api/auth/csrf': PUBLIC,
  'POST /api/auth/logout': EVERYONE,
  'GET /api/auth/me': EVERYONE,
  'GET /api/users': ADMINS,
  'POST /api/users': ADMINS,
  'PATCH /api/users/:id': ADMINS,
  'DELETE /api/users/:id': ADMINS,
  'POST /api/installers': ADMINS,
  'GET /api/installers/script': PUBLIC,
  'POST /api/agent/register': PUBLIC,
  'POST /api/relay/events': PUBLIC,
  'GET /support/connect/:token': PUBLIC,
  'GET /support/connect/:token/status': PUBLIC,
  'GET /support/connect/:token/download/:os': PUBLIC,
  'POST /support/connect/:token/note': PUBLIC,
  'GET /support/connect/:token/chat': PUBLIC,
  'POST /support/connect/:token/chat': PUBLIC,
  'GET /api/devices': OPERATORS,
  'GET /api/devices/:id/grants': ADMINS,
  'PUT /api/devices/:id/grants/:userId': ADMINS,
  'DELETE /api/devices/:id/grants/:userId': ADMINS,
  'PATCH /api/devices/:id/consent-policy': ADMINS,
  'GET /api/devices/:id/remotehelp': OPERATORS,
  'POST /api/devices/:id/remotehelp/start': OPERATORS,
  'POST /api/devices/:id/remotehelp/stop': OPERATORS,
  'POST /api/devices/:id/remotehelp/install': OPERATORS,
  'POST /api/quick-support/sessions': OPERATORS,
  'GET /api/quick-support/sessions': EVERYONE,
  'GET /api/quick-support/kpis': EVERYONE,
  'GET /api/quick-support/sessions/:id': EVERYONE,
  'POST /api/quick-support/sessions/:id/end': OPERATORS,
  'POST /api/quick-support/sessions/:id/assign': OPERATORS,
  'GET /api/quick-support/events': EVERYONE,
  'GET /api/quick-support/sessions/:id/chat': EVERYONE,
  'POST /api/quick-support/sessions/:id/chat': OPERATORS,
  'GET /api/remote-sessions/:id/support-session': EVERYONE,
  'GET /api/remote-sessions': EVERYONE,
  'GET /api/remote-sessions/history': EVERYONE,
  'GET /api/remote-sessions/export.csv': EVERYONE,
  'GET /api/users/technicians': OPERATORS,
  'POST /api/remote-sessions': OPERATORS,
  'GET /api/remote-sessions/events': EVERYONE,
  'GET /api/remote-sessions/:id': EVERYONE,
  'POST /api/remote-sessions/:id/tokens': OPERATORS,
  'GET /api/remote-sessions/:id/events': OPERATORS,
  'GET /api/remote-sessions/:id/timeline': EVERYONE,
  'GET /api/audit-events': EVERYONE,
  'GET /api/audit-events.csv': EVERYONE,
  'POST /api/remote-sessions/:id/channels/:channel/ask': OPERATORS,
  'POST /api/remote-sessions/:id/channels/shell/plain': OPERATORS,
  'POST /api/remote-sessions/:id/channels/files': OPERATORS,
  'POST /api/remote-sessions/:id/screen/monitor': OPERATORS,
  'POST /api/remote-sessions/:id/end': OPERATORS,
  'POST /api/remote-sessions/:id/commands': OPERATORS,
  'GET /api/remote-sessions/:id/commands/:commandId/output': OPERATORS,
  'POST /api/remote-sessions/:id/commands/:commandId/cancel': OPERATORS,
  'GET /api/recordings/settings': EVERYONE,
  'GET /api/recordings': EVERYONE,
  'GET /api/remote-sessions/:id/recordings': EVERYONE,
  'GET /api/recordings/:id': EVERYONE,
  'GET /api/recordings/:id/playback': EVERYONE,
  'GET /api/recordings/:id/chunks/:index': EVERYONE,
  'POST /api/recordings/:id/verify': READERS,
  'GET /api/recordings/:id/export.zip': ADMINS,
  'PUT /api/recordings/:id/legal-hold': ADMINS,
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Operation {
  route: string;
  method: string;
  path: string;
  /** The portal's own declaration; absent on public routes. */
  xRoles?: string[];
}

/** The routes the OpenAPI document describes, with the portal's own `x-roles` declaration. */
function operations(doc: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const route = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
      out.push({
        route,
        method: method.toUpperCase(),
        path,
        xRoles: op['x-roles'] as string[] | undefined,
      });
    }
  }
  return out;
}

/**
 * One request as the dashboard would send it (same Origin, so CSRF passes), with placeholder ids and
 * an empty body. Only the status and the error code matter: a live event stream is closed as soon
 * as its headers arrive.
 */
async function call(
  t: TestApp,
  op: Operation,
  cookie: string | null,
): Promise<{ status: number; code?: string }> {
  const url = t.baseUrl + op.path.replace(/\{\w+\}/g, () => randomUUID());
  const abort = new AbortController();
  const res = await fetch(url, {
    method: op.method,
    headers: {
      Origin: t.baseUrl,
      'Content-Type': 'application/json',
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: op.method === 'GET' ? undefined : '{}',
    redirect: 'manual',
    signal: abort.signal,
  });
  if ((res.headers.get('content-type') ?? '').includes('application/json')) {
    const body = (await res.json()) as { code?: unknown };
    return { status: res.status, code: typeof body.code === 'string' ? body.code : undefined };
  }
  abort.abort();
  return { status: res.status };
}

/** A refusal by the login or role check, as opposed to any other answer (400, 404, 409, a 403 of ownership…). */
const refusedByRoleCheck = (r: { status: number; code?: string }): boolean =>
  (r.status === 401 && r.code === 'unauthenticated') || (r.status === 403 && r.code === 'role_not_allowed');

async function login(t: TestApp, email: string, password: string): Promise<string> {
  const res = await fetch(`${t.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { Origin: t.baseUrl, 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login as ${email}: ${res.status}`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

describe('role check: every route of the OpenAPI document, walked with every role', () => {
  let t: TestApp;
  let ops: Operation[];
  const cookies: Record<Caller, string | null> = {
    admin: null,
    technician: null,
    auditor: null,
    nobody: null,
  };

  async function signIn(caller: Caller): Promise<void> {
    if (caller === 'nobody') return;
    cookies[caller] =
      caller === 'admin'
        ? await login(t, ADMIN_EMAIL, ADMIN_PASSWORD)
        : await login(t, `${caller}@example.test`, `${caller}-password-123`);
  }

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await t.loginAs();
    for (const role of ['technician', 'auditor'] as const) {
      await admin
        .post('/api/users')
        .send({
          email: `${role}@example.test`,
          displayName: `The ${role}`,
          role,
          password: `${role}-password-123`,
        })
        .expect(201);
    }
    for (const caller of CALLERS) await signIn(caller);
    const doc = await t.http().get('/api/docs-json').expect(200);
    ops = operations(doc.body as Parameters<typeof operations>[0]);
  });
  afterAll(() => t?.close());

  it('has exactly the routes of the OpenAPI document in its table', () => {
    expect(ops.map((o) => o.route).sort()).toEqual(Object.keys(ROUTE_ROLES).sort());
  });

  it('declares in the OpenAPI document (x-roles) the roles the table gives each signed-in route', () => {
    for (const op of ops) {
      const expected = ROUTE_ROLES[op.route];
      if (!expected) continue;
      const declared = op.xRoles ? [...op.xRoles].sort().join(',') : 'public';
      const table = expected.includes('nobody') ? 'public' : [...expected].sort().join(',');
      expect(`${op.route}: ${declared}`).toBe(`${op.route}: ${table}`);
    }
  });

  it.each(CALLERS)('lets %s past the role check exactly where the table says', async (caller) => {
    // Signing out last: it ends this caller's login.
    const ordered = [...ops].sort(
      (a, b) => Number(a.route === 'POST /api/auth/logout') - Number(b.route === 'POST /api/auth/logout'),
    );
    const seen: string[] = [];
    const expected: string[] = [];
    for (const op of ordered) {
      const allowed = ROUTE_ROLES[op.route];
      if (!allowed) continue;
      const res = await call(t, op, cookies[caller]);
      const want = allowed.includes(caller) ? 'passes' : 'refused';
      const got = refusedByRoleCheck(res) ? 'refused' : 'passes';
      expected.push(`${op.route} → ${want}`);
      // On a mismatch the answer is shown, to tell a role refusal from any other.
      seen.push(`${op.route} → ${got}${got === want ? '' : ` (${res.status} ${res.code ?? ''})`}`);
    }
    expect(seen).toEqual(expected);
    await signIn(caller);
  });
});
