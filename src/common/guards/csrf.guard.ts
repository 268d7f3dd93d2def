import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { SKIP_CSRF } from '../decorators';
import { commonErrors } from '../common.errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing requests that a browser marks as cross-site.
 *
 * 1. `Sec-Fetch-Site` when sent: only `same-origin` (and `none`, a user-initiated navigation) pass.
 * 2. Otherwise `Origin` when sent: it must be the portal's configured origin or the request's own.
 * 3. Neither header (old browsers, scripts): fail closed unless `X-CSRF-Token` matches the token
 *    issued to this session by `GET /api/auth/csrf`.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (SAFE_METHODS.has(req.method)) return true;
    if (this.reflector.getAllAndOverride<boolean>(SKIP_CSRF, [context.getHandler(), context.getClass()]))
      return true;

    const fetchSite = req.get('sec-fetch-site');
    if (fetchSite) {
      if (fetchSite === 'same-origin' || fetchSite === 'none') return true;
      throw commonErrors.crossSiteRequest();
    }
    const origin = req.get('origin');
    if (origin) {
      const own = `${req.protocol}://${req.get('host') ?? ''}`;
      if (origin === this.config.portalOrigin || origin === own) return true;
      throw commonErrors.crossSiteRequest();
    }
    const sent = req.get('x-csrf-token');
    const expected = req.session?.csrfToken;
    if (
      sent &&
      expected &&
      sent.length === expected.length &&
      timingSafeEqual(Buffer.from(sent), Buffer.from(expected))
    ) {
      return true;
    }
    throw commonErrors.crossSiteRequest();
  }
}
