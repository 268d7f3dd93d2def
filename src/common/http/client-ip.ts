import type { Request } from 'express';
import { safeLogValue } from '../log-redaction';

/** The caller's address as Express sees it (honouring TRUST_PROXY), bounded and safe to log or key on. */
export function clientIp(req: Request): string {
  return safeLogValue(req.ip ?? req.socket.remoteAddress ?? 'unknown', 64);
}
