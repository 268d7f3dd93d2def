import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import connectPgSimple from 'connect-pg-simple';
import type { Express, NextFunction, Request, Response } from 'express';
import { static as serveStatic } from 'express';
import session from 'express-session';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import passport from 'passport';
import type { Server } from 'node:http';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { ApiErrorBody } from '../contracts/api/errors';
import { isDashboardPath } from '../contracts/dashboard-routes';
import { sessionCookieOptions } from './auth/session-cookie';
import { ErrorCode } from './common/domain-error';
import { DATABASE_UNAVAILABLE } from './common/filters/all-exceptions.filter';
import { isDatabaseUnavailable } from './database/database-unavailable';
import { installBodyParsers } from './common/http/body-parsers';
import { securityHeaders } from './common/http/security-headers';
import { addSecuritySchemes, describeRoutePolicies } from './common/openapi/route-policies';
import { createValidationPipe } from './common/validation';
import { publicHeadersMiddleware } from './quick-support/connect/public-headers';
import { AppConfig } from './config/app-config';
import { requestLogger } from './logging/logger-options';
import { httpMetricsMiddleware, labelRoute } from './metrics/http-metrics.middleware';
import { PortalMetrics } from './metrics/portal-metrics';
import { PORTAL_VERSION, PROJECT_ROOT } from './version';

const SESSION_MAX_AGE_MS = 12 * 3600 * 1000;

const API_DESCRIPTION = [
  'Technician, public connect-page, agent and relay endpoints of the portal.',
  'Every route lists its typed success answer and every error it can give: the `ErrorBody` schema `{ code, message }`, with the codes each status can carry (`code` is stable, `message` is for people).',
  'Signed-in routes use the `session` cookie; unsafe methods (POST, PUT, PATCH, DELETE) also pass the `csrf` check. Public routes say their own security: none (connect page, agent registration, health), `installer-token` or `relay-signature`.',
  'Live updates are server-sent events (`text/event-stream`); exports are CSV (`text/csv`).',
].join('\n\n');

/** Where the built dashboard lives (npm run build:client). */
export const CLIENT_DIR = join(PROJECT_ROOT, 'dist', 'client', 'browser');

/** Paths Nest answers (its own JSON 404 included): the dashboard fallback leaves them alone. */
const NEST_PATHS = /^\/(api|support)(\/|$)|^\/metrics$/;

/**
 * Everything around the Nest routes: request timing, security headers, body limits, server-side
 * sessions in PostgreSQL, passport, validation, OpenAPI, and the built dashboard. Shared by main.ts
 * and the test harness.
 */
export function configureApp(app: INestApplication, config: AppConfig): void {
  const http = app.getHttpAdapter().getInstance() as Express;
  http.set('trust proxy', config.trustProxy);
  // First, so every answer is logged once and timed, refusals, dashboard files and 404s included.
  http.use(requestLogger(config));
  if (config.metrics.enabled) http.use(httpMetricsMiddleware(app.get(PortalMetrics)));
  http.use(securityHeaders(config));
  // The public connect page and its endpoints live at /support/connect/..., outside the /api prefix,
  // with their own strict headers on every response (errors and 404s included); /metrics sits at the
  // root, like the relay's.
  app.setGlobalPrefix('api', { exclude: ['support/{*path}', 'metrics'] });
  http.use('/support', publicHeadersMiddleware());
  installBodyParsers(http);

  const pool = (app.get(DataSource).driver as PostgresDriver).master as Pool;
  const PgStore = connectPgSimple(session);
  const cookie = sessionCookieOptions(config.portalOrigin);
  const store = new PgStore({
    pool,
    tableName: 'auth_sessions',
    createTableIfMissing: false,
    pruneSessionInterval: 15 * 60,
  });
  // Its prune timer must not outlive the pool it queries (which app.close() ends).
  (app.getHttpServer() as Server).once('close', () => void store.close());
  http.use(
    session({
      name: cookie.name,
      secret: config.sessionSecret,
      store,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      proxy: config.trustProxy > 0,
      cookie: {
        httpOnly: cookie.httpOnly,
        sameSite: cookie.sameSite,
        secure: cookie.secure,
        maxAge: SESSION_MAX_AGE_MS,
        // No domain: a __Host- cookie must not carry one.
        path: cookie.path,
      },
    }),
  );
  http.use(passport.initialize());
  http.use(passport.session());
  // The session store and passport run before Nest's routes, so their errors never reach the
  // exception filter: a database outage there gets the filter's same 503 answer here.
  http.use(databaseOutageHandler);
  app.useGlobalPipes(createValidationPipe());

  describeRoutePolicies(app);
  const doc = SwaggerModule.createDocument(
    app,
    addSecuritySchemes(
      new DocumentBuilder()
        .setTitle('Remote support portal API')
        .setDescription(API_DESCRIPTION)
        .setVersion(PORTAL_VERSION),
      cookie.name,
    ).build(),
  );
  // The page and both raw forms of the description (Swagger serves YAML too, unless told not to).
  if (!config.publicApiDocs) http.use(['/api/docs', '/api/docs-json', '/api/docs-yaml'], adminOnlyDocs);
  SwaggerModule.setup('api/docs', app, doc, {
    jsonDocumentUrl: 'api/docs-json',
    yamlDocumentUrl: 'api/docs-yaml',
    useGlobalPrefix: false,
  });

  serveDashboard(http);
}

function databaseOutageHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent || !isDatabaseUnavailable(err)) return next(err);
  const { status, code, message, headers } = DATABASE_UNAVAILABLE;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(status).json({ code, message } satisfies ApiErrorBody);
}

/**
 * In production the OpenAPI description (every admin route) is for signed-in admins only, unless
 * PUBLIC_API_DOCS=true. Anyone else gets the same 404 as for an address that does not exist.
 */
function adminOnlyDocs(req: Request, res: Response, next: NextFunction): void {
  if (req.user?.role === 'admin') return next();
  res
    .status(404)
    .json({ code: ErrorCode.NotFound, message: 'Nothing was found at this address.' } satisfies ApiErrorBody);
}

/** What a browser gets for an address that is neither a dashboard page, a file of it, nor an API route. */
const NOT_FOUND_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Page not found</title></head>' +
  '<body><main><h1>Page not found</h1><p>Nothing was found at this address. ' +
  '<a href="/">Open the dashboard</a></p></main></body></html>';

/**
 * The built dashboard: its files, and index.html for a GET that accepts HTML on one of its pages
 * (contracts/dashboard-routes.ts — the Angular router's own list). Any other address outside Nest's
 * paths is a 404 here: a small page for a browser, `{ code, message }` for everyone else.
 */
function serveDashboard(http: Express): void {
  const index = join(CLIENT_DIR, 'index.html');
  http.use(
    serveStatic(CLIENT_DIR, {
      index: false,
      maxAge: '1h',
      fallthrough: true,
      setHeaders: (res) => labelRoute(res, 'static'),
    }),
  );
  http.use((req: Request, res: Response, next: NextFunction) => {
    if (NEST_PATHS.test(req.path)) return next();
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (!read || !isDashboardPath(req.path) || !req.accepts('html')) {
      labelRoute(res, 'unmatched');
      res.status(404).setHeader('Cache-Control', 'no-store');
      if (read && req.accepts(['json', 'html']) === 'html') res.type('html').send(NOT_FOUND_PAGE);
      else
        res.json({
          code: ErrorCode.NotFound,
          message: 'Nothing was found at this address.',
        } satisfies ApiErrorBody);
      return;
    }
    labelRoute(res, 'dashboard');
    if (!existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send('The dashboard has not been built yet. Run: npm run build:client');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
