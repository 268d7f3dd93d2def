import { RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { IS_PUBLIC, SKIP_CSRF } from '../../src/common/decorators';
import { ERROR_STATUS, ErrorCode } from '../../src/common/domain-error';
import { createTestApp, type TestApp } from '../support/test-app';

jest.setTimeout(120_000);

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ERROR_BODY_REF = '#/components/schemas/ErrorBody';
/** Routes of the OpenAPI description itself (SwaggerModule.setup: the UI, its files, JSON and YAML). */
const DOCS_ROUTE = /^GET \/api\/docs(\/.*|-json|-yaml)?$/;

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  enum?: string[];
}
interface Response {
  description?: string;
  content?: Record<string, { schema?: Schema }>;
}
interface Operation {
  responses?: Record<string, Response>;
  security?: Record<string, string[]>[];
}
interface Document {
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, unknown> };
}

/** `GET /api/users/:id` for an OpenAPI path and method. */
const routeOf = (method: string, path: string): string =>
  `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;

function operations(doc: Document): { route: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ route: routeOf(m, path), op: item[m] as Operation })),
  );
}

/** What the Express router answers: every route Nest mapped (and the docs' own). */
function routerRoutes(app: INestApplication): string[] {
  const express = app.getHttpAdapter().getInstance() as unknown as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  // Wildcard layers (every method on /api{/*splat}, /support/{*path}) are Nest's not-found fallbacks;
  // a layer on every method of one path is the middleware Nest mounts on a path excluded from the /api
  // prefix (/metrics), not a route. `/metrics/` is the same route as `/metrics`.
  const routes = express.router.stack.flatMap((layer) => {
    if (!layer.route || layer.route.path.includes('*')) return [];
    const methods = Object.keys(layer.route.methods).filter((m) => m !== '_all');
    if (methods.includes('acl')) return [];
    const path = layer.route.path.length > 1 ? layer.route.path.replace(/\/$/, '') : layer.route.path;
    return methods.map((m) => `${m.toUpperCase()} ${path}`);
  });
  return [...new Set(routes)];
}

/** Each Nest route with what the global guards read from it: public, and whether CSRF is checked. */
function guardedRoutes(app: INestApplication): Map<string, { public: boolean; checksCsrf: boolean }> {
  const out = new Map<string, { public: boolean; checksCsrf: boolean }>();
  for (const mod of app.get(ModulesContainer).values()) {
    for (const wrapper of mod.controllers.values()) {
      const cls = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!cls) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, cls) ?? '');
      for (const name of Object.getOwnPropertyNames(cls.prototype)) {
        const handler = (cls.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (typeof path !== 'string') continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        // Outside the /api prefix: the connect page (support/…) and the operator's /metrics.
        const full = ['', base.startsWith('support') || base === 'metrics' ? '' : 'api', base, path]
          .join('/')
          .replace(/\/+/g, '/')
          .replace(/(.)\/$/, '$1');
        const meta = (key: string): boolean =>
          (Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, cls)) === true;
        out.set(`${method} ${full}`, {
          public: meta(IS_PUBLIC),
          checksCsrf: UNSAFE.has(method) && !meta(SKIP_CSRF),
        });
      }
    }
  }
  return out;
}

const refersToErrorBody = (schema: Schema | undefined): boolean =>
  schema?.$ref === ERROR_BODY_REF || (schema?.allOf ?? []).some((s) => s.$ref === ERROR_BODY_REF);

/** A schema that says something about the body: a reference, a type or a composition. */
const isTyped = (schema: Schema | undefined): boolean =>
  !!schema && (!!schema.$ref || !!schema.type || !!schema.allOf);

/** The error codes a response lists (the `code` enum narrowed beside the ErrorBody reference). */
const codesOf = (res: Response | undefined): string[] =>
  (res?.content?.['application/json']?.schema?.allOf ?? []).flatMap((s) => s.properties?.code?.enum ?? []);

/** What is missing from one operation's description, each as a sentence naming the route. */
function problemsOf(route: string, op: Operation, guard: { public: boolean; checksCsrf: boolean }): string[] {
  const problems: string[] = [];
  const responses = op.responses ?? {};
  const success = Object.entries(responses).filter(([s]) => /^[23]\d\d$/.test(s));
  if (success.length === 0) problems.push(`${route}: no 2xx (or redirect) response`);
  for (const [status, res] of success) {
    if (status === '204' || status.startsWith('3')) continue;
    const media = Object.entries(res.content ?? {});
    if (media.length === 0 || !media.every(([, m]) => isTyped(m.schema))) {
      problems.push(`${route}: ${status} has no typed body (add @ApiOkResponse({ type }) or its media type)`);
    }
    if (res.content?.['text/event-stream'] && (res.description ?? '').length < 40) {
      problems.push(`${route}: ${status} text/event-stream does not describe its events`);
    }
  }
  const errors = Object.entries(responses).filter(([s]) => /^[45]\d\d$/.test(s));
  if (!errors.some(([, res]) => refersToErrorBody(res.content?.['application/json']?.schema))) {
    problems.push(`${route}: no error response with the ErrorBody schema (add @ApiErrors(...))`);
  }
  for (const [status, res] of errors) {
    if (!res.content || Object.keys(res.content).length === 0) {
      problems.push(`${route}: ${status} has no body schema`);
    }
    for (const code of codesOf(res)) {
      const known = (Object.values(ErrorCode) as string[]).includes(code);
      if (!known || String(ERROR_STATUS[code as ErrorCode]) !== status) {
        problems.push(`${route}: ${status} lists ${code}, which the portal never answers with ${status}`);
      }
    }
  }
  // Every route spends a rate limit; the connect page answers its 429 with a page instead of JSON.
  const tooMany = responses['429'];
  if (!codesOf(tooMany).includes(ErrorCode.RateLimited) && !tooMany?.content?.['text/html']) {
    problems.push(`${route}: 429 rate_limited is not described`);
  }
  const security = op.security ?? [];
  if (!guard.public) {
    if (!security.some((r) => 'session' in r)) problems.push(`${route}: the session cookie is not described`);
    if (!codesOf(responses['401']).includes(ErrorCode.Unauthenticated)) {
      problems.push(`${route}: 401 unauthenticated is not described`);
    }
  }
  if (guard.checksCsrf) {
    if (security.length === 0 || !security.every((r) => 'csrf' in r)) {
      problems.push(`${route}: an unsafe method without the csrf security requirement`);
    }
    if (!codesOf(responses['403']).includes(ErrorCode.CrossSiteRequest)) {
      problems.push(`${route}: 403 cross_site_request is not described`);
    }
  }
  return problems;
}

describe('the OpenAPI description covers every route', () => {
  let t: TestApp;
  let doc: Document;

  beforeAll(async () => {
    t = await createTestApp();
    doc = (await t.http().get('/api/docs-json').expect(200)).body as Document;
  });
  afterAll(() => t?.close());

  it('describes every route the router serves, and no route it does not', () => {
    const served = routerRoutes(t.app).filter((r) => !DOCS_ROUTE.test(r));
    const described = operations(doc).map((o) => o.route);
    expect([...new Set(served)].sort()).toEqual([...new Set(described)].sort());
  });

  it('gives every route a typed success answer, its error codes, and its security', () => {
    const guards = guardedRoutes(t.app);
    const problems = operations(doc).flatMap(({ route, op }) => {
      const guard = guards.get(route);
      return guard ? problemsOf(route, op, guard) : [`${route}: not a route Nest knows`];
    });
    expect(problems).toEqual([]);
  });

  it('has one error schema listing every error code, and the security schemes the routes name', () => {
    const errorBody = doc.components.schemas.ErrorBody;
    expect(errorBody?.properties?.code?.enum?.slice().sort()).toEqual(Object.values(ErrorCode).sort());
    expect(Object.keys(errorBody?.properties ?? {}).sort()).toEqual(['code', 'message']);
    const named = new Set(
      operations(doc).flatMap(({ op }) => (op.security ?? []).flatMap((r) => Object.keys(r))),
    );
    expect([...named].sort()).toEqual(Object.keys(doc.components.securitySchemes).sort());
  });
});
