import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { PortalMetrics } from './portal-metrics';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const ROUTE_LABEL = Symbol('qs:metrics-route');

type Labelled = Response & { [ROUTE_LABEL]?: string };

/**
 * Names what answered a request that no Nest route matched (the dashboard, its static files), for the
 * duration histogram's `route` label.
 */
export function labelRoute(res: Response, route: 'dashboard' | 'static' | 'unmatched'): void {
  (res as Labelled)[ROUTE_LABEL] = route;
}

/**
 * Times every request (first middleware) into `portal_http_request_duration_seconds`. The `route`
 * label is the matched route's template (`/api/remote-sessions/:id`), never the URL itself, so ids
 * and tokens never become label values; anything unmatched is `unmatched`.
 */
export function httpMetricsMiddleware(metrics: PortalMetrics): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const method = METHODS.has(req.method) ? req.method : 'OTHER';
      metrics.observeRequest(routeOf(req, res), method, res.statusCode, seconds);
    });
    next();
  };
}

function routeOf(req: Request, res: Response): string {
  const labelled = (res as Labelled)[ROUTE_LABEL];
  if (labelled) return labelled;
  const route = (req.route as { path?: unknown } | undefined)?.path;
  // Nest's not-found handler is itself a wildcard route (`/api` + `*path`): its 404s matched nothing.
  if (typeof route !== 'string' || (res.statusCode === 404 && route.includes('*'))) return 'unmatched';
  return `${req.baseUrl}${route}`;
}
