import type { IncomingMessage, ServerResponse } from 'node:http';
import { RelayCloseCode } from '../contracts/relay-close-codes';
import {
  RELAY_CONTROL_CLOSE_PATH,
  RELAY_MESSAGE_MAX_BYTES,
  RelayMessageError,
  parseRelayCloseRequest,
  type RelayCloseResponse,
} from '../contracts/relay-events';
import { metricsAccessCheck } from '../contracts/node/metrics-access';
import type { RelayKey } from '../contracts/node/relay-keys';
import {
  RELAY_SIGNATURE_HEADER,
  RELAY_SIGNATURE_MAX_SKEW_SEC,
  RELAY_TIMESTAMP_HEADER,
  verifyRelayRequest,
} from '../contracts/node/relay-signature';
import { RELAY_TOKEN_CLOCK_TOLERANCE_SEC, RELAY_TOKEN_MAX_TTL_SEC } from '../contracts/node/relay-token';
import type { ExpiringIdSet } from './expiring-id-set';
import type { RelayLogger } from './logger';
import type { RelayGauges, RelayMetrics } from './metrics';
import type { PairRegistry } from './pair-registry';
import { sendJson, sendText } from './responses';

export interface HttpRoutesDeps {
  readonly registry: PairRegistry;
  readonly metrics: RelayMetrics;
  readonly gauges: () => RelayGauges;
  readonly version: string;
  readonly startedAt: number;
  readonly isClosing: () => boolean;
  readonly metricsToken: string | null;
  readonly signingKeys: readonly RelayKey[];
  readonly controlIds: ExpiringIdSet;
  readonly endedSessions: ExpiringIdSet;
  readonly logger: RelayLogger;
}

/** Plain HTTP endpoints of the relay: /health (public), /stats and /metrics (protected), /control/close (signed). */
export function createRequestHandler(
  deps: HttpRoutesDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const access = metricsAccessCheck(deps.metricsToken);
  const canReadMetrics = (req: IncomingMessage): boolean => access(req) === 'allowed';

  const denyMetrics = (res: ServerResponse): void => {
    if (deps.metricsToken)
      sendJson(
        res,
        401,
        { code: 'unauthenticated', message: 'A bearer token is required.' },
        { 'www-authenticate': 'Bearer realm="relay-metrics"' },
      );
    else sendJson(res, 403, { code: 'forbidden', message: 'Only local callers may read this endpoint.' });
  };

  const routes: Record<
    string,
    Partial<Record<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>>>
  > = {
    '/health': {
      GET: (_req, res) => {
        const closing = deps.isClosing();
        sendJson(res, closing ? 503 : 200, {
          status: closing ? 'shutting_down' : 'ok',
          version: deps.version,
          activePairs: deps.registry.activePairs,
          waitingSides: deps.registry.waitingSides,
          connections: deps.registry.connections,
          uptimeSec: Math.floor((Date.now() - deps.startedAt) / 1000),
        });
      },
    },
    '/stats': {
      GET: (req, res) => (canReadMetrics(req) ? sendJson(res, 200, deps.registry.stats()) : denyMetrics(res)),
    },
    '/metrics': {
      GET: (req, res) =>
        canReadMetrics(req)
          ? sendText(res, 200, 'text/plain; version=0.0.4; charset=utf-8', renderMetrics(deps))
          : denyMetrics(res),
    },
    [RELAY_CONTROL_CLOSE_PATH]: { POST: (req, res) => controlClose(req, res, deps) },
  };

  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const route = routes[path];
    const handler = route?.[req.method ?? 'GET'];
    if (!route) return sendJson(res, 404, { code: 'not_found', message: 'Not found.' });
    if (!handler)
      return sendJson(
        res,
        405,
        { code: 'method_not_allowed', message: 'Method not allowed.' },
        { allow: Object.keys(route).join(', ') },
      );
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      deps.logger.error({ err: (err as Error).message, path }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { code: 'internal_error', message: 'Internal error.' });
      else res.destroy();
    });
  };
}

function renderMetrics(deps: HttpRoutesDeps): string {
  const totals = deps.registry.bytesTotals();
  deps.metrics.bytesAgentToTech = totals.agentToTech;
  deps.metrics.bytesTechToAgent = totals.techToAgent;
  return deps.metrics.render(deps.gauges(), deps.version);
}

async function controlClose(req: IncomingMessage, res: ServerResponse, deps: HttpRoutesDeps): Promise<void> {
  const body = await readBody(req, RELAY_MESSAGE_MAX_BYTES);
  if (body === 'too_large')
    return sendJson(res, 413, { code: 'payload_too_large', message: 'Body too large.' });
  const check = verifyRelayRequest(
    deps.signingKeys,
    'control',
    { timestamp: req.headers[RELAY_TIMESTAMP_HEADER], signature: req.headers[RELAY_SIGNATURE_HEADER] },
    body,
  );
  if (check !== 'ok') {
    deps.logger.warn({ check }, 'refused an unsigned or badly signed control request');
    return sendJson(res, 401, { code: 'invalid_signature', message: 'Missing or invalid signature.' });
  }
  let request: ReturnType<typeof parseRelayCloseRequest>;
  try {
    request = parseRelayCloseRequest(JSON.parse(body.toString('utf8')) as unknown);
  } catch (err) {
    const message = err instanceof RelayMessageError ? err.message : 'Body must be JSON.';
    return sendJson(res, 400, { code: 'validation_failed', message });
  }
  const now = Date.now();
  const seen = deps.controlIds.add(request.id, now + 2 * RELAY_SIGNATURE_MAX_SKEW_SEC * 1000, now);
  if (seen === 'full')
    return sendJson(res, 503, { code: 'unavailable', message: 'Too many recent control requests.' });
  if (seen === 'exists') return sendJson(res, 200, { closed: 0 } satisfies RelayCloseResponse);
  if (request.channel === undefined) {
    // Tokens minted before the end stay valid for up to their lifetime: refuse them for that long.
    deps.endedSessions.add(
      request.sessionId,
      now + (RELAY_TOKEN_MAX_TTL_SEC + RELAY_TOKEN_CLOCK_TOLERANCE_SEC) * 1000,
      now,
    );
  }
  const closed = deps.registry.closeSession(
    request.sessionId,
    request.channel,
    RelayCloseCode.ClosedByPortal,
    'portal',
    request.reason,
  );
  deps.logger.info({ sid: request.sessionId, ch: request.channel, closed }, 'session closed by the portal');
  sendJson(res, 200, { closed } satisfies RelayCloseResponse);
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too_large'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) return 'too_large';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return 'too_large';
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
