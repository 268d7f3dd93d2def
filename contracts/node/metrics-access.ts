import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Whether a caller may read an operator endpoint (`/metrics`, the relay's `/stats`), and if not, why. */
export type MetricsAccessDecision = 'allowed' | 'unauthenticated' | 'forbidden';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

/**
 * The access rule of the portal's and the relay's `/metrics`, in one place:
 * - with a token set, only `Authorization: Bearer <token>` (compared in constant time, from anywhere);
 * - without one, only callers on loopback that did not come through a proxy: a proxy on the same host
 *   connects from loopback too, but adds forwarding headers. The socket address is used, never a
 *   forwarded one, whatever the proxy settings.
 * `unauthenticated` (answer 401 with `WWW-Authenticate: Bearer`) when a token is set; `forbidden` (403)
 * otherwise.
 */
export function metricsAccessCheck(token: string | null): (req: IncomingMessage) => MetricsAccessDecision {
  const digest = token ? sha256(token) : null;
  return (req) => {
    if (digest) {
      const match = /^Bearer (\S{1,512})$/.exec(req.headers.authorization ?? '');
      return match !== null && timingSafeEqual(sha256(match[1]), digest) ? 'allowed' : 'unauthenticated';
    }
    const local =
      LOOPBACK.test(req.socket.remoteAddress ?? '') &&
      FORWARDING_HEADERS.every((h) => req.headers[h] === undefined);
    return local ? 'allowed' : 'forbidden';
  };
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
