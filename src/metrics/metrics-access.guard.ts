import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { metricsAccessCheck } from '../../contracts/node/metrics-access';
import { AppConfig } from '../config/app-config';
import { metricsErrors } from './metrics.errors';

/** The relay's rule for `/metrics` (contracts/node/metrics-access.ts): the token if set, else loopback. */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  private readonly check: ReturnType<typeof metricsAccessCheck>;

  constructor(config: AppConfig) {
    this.check = metricsAccessCheck(config.metrics.token);
  }

  canActivate(context: ExecutionContext): boolean {
    const decision = this.check(context.switchToHttp().getRequest<Request>());
    if (decision === 'unauthenticated') throw metricsErrors.tokenRequired();
    if (decision === 'forbidden') throw metricsErrors.notLocal();
    return true;
  }
}
