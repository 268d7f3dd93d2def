import { RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { ApiSecurity, DocumentBuilder } from '@nestjs/swagger';
import { RELAY_SIGNATURE_HEADER, RELAY_TIMESTAMP_HEADER } from '../../../contracts/node/relay-signature';
import { IS_PUBLIC, SKIP_CSRF } from '../decorators';
import { ErrorCode } from '../domain-error';
import { RATE_LIMIT_POLICY } from '../rate-limit/rate-limit.decorator';
import { ApiErrors, type ApiErrorEntry } from './api-errors.decorator';

/** Names of the OpenAPI security schemes (components.securitySchemes). */
export const SECURITY = {
  /** The technician's login: the server-side session cookie. */
  session: 'session',
  /** The cross-site-request check on unsafe methods (src/common/guards/csrf.guard.ts). */
  csrf: 'csrf',
  /** A persistent install token in `Authorization: Bearer` (GET /api/installers/script). */
  installerToken: 'installer-token',
  /** The relay's HMAC signature over the body (POST /api/relay/events). */
  relaySignature: 'relay-signature',
} as const;

/** Methods the CSRF guard lets through unchecked. */
export const SAFE_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS'];

/** The document's security schemes, added to the builder that makes the OpenAPI description. */
export function addSecuritySchemes(builder: DocumentBuilder, sessionCookie: string): DocumentBuilder {
  return builder
    .addCookieAuth(
      sessionCookie,
      {
        type: 'apiKey',
        in: 'cookie',
        description: 'The login’s session cookie, set by POST /api/auth/login (HttpOnly, SameSite=Lax).',
      },
      SECURITY.session,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-CSRF-Token',
        description:
          'Unsafe methods (POST, PUT, PATCH, DELETE) are refused with 403 `cross_site_request` unless the request shows it comes from the portal: `Sec-Fetch-Site: same-origin` (browsers send it), else an `Origin` equal to the portal’s, else this header carrying the token from GET /api/auth/csrf. Browsers satisfy it without the header; scripts send the header.',
      },
      SECURITY.csrf,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description: 'A one-shot persistent install token, as the install command sends it.',
      },
      SECURITY.installerToken,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: RELAY_SIGNATURE_HEADER,
        description: `The relay’s HMAC-SHA256 (\`v1=<hex>\`) over the exact body, with \`${RELAY_TIMESTAMP_HEADER}\` (seconds); keys derived from RELAY_SECRET (docs/relay.md).`,
      },
      SECURITY.relaySignature,
    );
}

/** Handler arguments the pipes see: body, query and path parameters. */
const INPUT_ARGS: ReadonlySet<number> = new Set<number>([
  RouteParamtypes.BODY,
  RouteParamtypes.QUERY,
  RouteParamtypes.PARAM,
]);

/** Types the global ValidationPipe lets through unchecked. */
const UNCHECKED_TYPES: ReadonlySet<unknown> = new Set([Object, String, Number, Boolean, Array, undefined]);

/**
 * Whether a pipe can refuse one of the route's inputs with 400 `validation_failed`: a route-level
 * pipe (`parseId()`, an enum pipe) or a DTO class the global ValidationPipe checks. Routes that
 * check a raw body themselves declare the code with `@ApiErrors`.
 */
function validatesInput(cls: new (...args: never[]) => object, name: string): boolean {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, cls, name) ?? {}) as Record<
    string,
    { index: number; pipes?: unknown[] }
  >;
  const types = (Reflect.getMetadata('design:paramtypes', cls.prototype as object, name) ?? []) as unknown[];
  return Object.entries(args).some(
    ([key, arg]) =>
      INPUT_ARGS.has(Number(key.split(':')[0])) &&
      ((arg.pipes?.length ?? 0) > 0 || !UNCHECKED_TYPES.has(types[arg.index])),
  );
}

/** Marks a handler already described (test harnesses build the app more than once per process). */
const DESCRIBED = 'qs:openapi-policies-described';

/**
 * Writes into the OpenAPI metadata of every route what the global guards and parsers do to it, read
 * from the same metadata they act on, so the description cannot miss a route or disagree with them:
 * - signed-in routes: the session cookie (401 `unauthenticated`);
 * - unsafe methods without `@SkipCsrf()`: the CSRF scheme (403 `cross_site_request`), and the body
 *   parsers' 400 `malformed_json` and 413 `payload_too_large`;
 * - routes with a body, query or path parameter: 400 `validation_failed`;
 * - every route: 429 `rate_limited` (its named policy, or the signed-in user’s budget) and 503
 *   `unavailable` (database outage, with Retry-After).
 * Role and ownership refusals come from the access decorators; each route lists its own codes with
 * `@ApiErrors`. Run before the document is built.
 */
export function describeRoutePolicies(app: INestApplication): void {
  for (const mod of app.get(ModulesContainer).values()) {
    for (const wrapper of mod.controllers.values()) {
      const cls = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!cls) continue;
      for (const name of Object.getOwnPropertyNames(cls.prototype)) {
        const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, name);
        const handler = descriptor?.value as unknown;
        if (name === 'constructor' || !descriptor || typeof handler !== 'function') continue;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        if (Reflect.getMetadata(DESCRIBED, handler) === true) continue;
        Reflect.defineMetadata(DESCRIBED, true, handler);
        describeRoute(cls, name, descriptor);
      }
    }
  }
}

function describeRoute(
  cls: new (...args: never[]) => object,
  name: string,
  descriptor: PropertyDescriptor,
): void {
  const handler = descriptor.value as object;
  const meta = <T>(key: string): T | undefined =>
    (Reflect.getMetadata(key, handler) as T | undefined) ?? (Reflect.getMetadata(key, cls) as T | undefined);
  const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
  const isPublic = meta<boolean>(IS_PUBLIC) === true;
  const checksCsrf = !SAFE_METHODS.includes(method) && meta<boolean>(SKIP_CSRF) !== true;
  const policy = meta<string>(RATE_LIMIT_POLICY);
  const takesInput = validatesInput(cls, name);

  const errors: ApiErrorEntry[] = [
    [
      ErrorCode.RateLimited,
      policy
        ? `rate limit \`${policy}\` spent (with Retry-After)`
        : isPublic
          ? 'the public request budget of this address or network is spent (with Retry-After)'
          : 'the signed-in user’s request budget is spent (with Retry-After)',
    ],
    [ErrorCode.Unavailable, 'the portal cannot reach its database (with Retry-After)'],
  ];
  if (!isPublic) errors.push([ErrorCode.Unauthenticated, 'not signed in, or the login has ended']);
  if (takesInput) errors.push([ErrorCode.ValidationFailed, 'a parameter or the body is not valid']);
  if (!SAFE_METHODS.includes(method)) {
    errors.push(
      [ErrorCode.MalformedJson, 'the body is not valid JSON'],
      [ErrorCode.PayloadTooLarge, 'the body is larger than 64 kB'],
    );
  }
  if (checksCsrf) {
    errors.push([
      ErrorCode.CrossSiteRequest,
      'the request did not come from the portal (see the `csrf` security scheme)',
    ]);
  }
  const target = cls.prototype as object;
  ApiErrors(...errors)(target, name, descriptor);

  const requirement: Record<string, string[]> = {};
  if (!isPublic) requirement[SECURITY.session] = [];
  if (checksCsrf) requirement[SECURITY.csrf] = [];
  if (Object.keys(requirement).length > 0) ApiSecurity(requirement)(target, name, descriptor);
}
