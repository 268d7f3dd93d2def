import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../common/domain-error';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import type { Response } from 'express';
import { Public } from '../common/decorators';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator';
import { MetricsAccessGuard } from './metrics-access.guard';
import { PortalMetrics } from './portal-metrics';

/**
 * `GET /metrics` (outside the /api prefix, like the relay's): Prometheus text for the operator's
 * scraper. Registered only when PORTAL_METRICS is on; docs/operations.md lists every metric.
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: PortalMetrics) {}

  @Public()
  @RateLimit('metrics')
  @UseGuards(MetricsAccessGuard)
  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Loopback callers that did not come through a proxy, or `Authorization: Bearer <PORTAL_METRICS_TOKEN>` when that is set. 404 when PORTAL_METRICS=off.',
  })
  @ApiOkResponse({
    description: 'Prometheus text exposition format 0.0.4.',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiErrors(
    [ErrorCode.Unauthenticated, 'PORTAL_METRICS_TOKEN is set and was not sent'],
    [ErrorCode.Forbidden, 'no token is set and the caller is not local'],
  )
  async scrape(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    res.setHeader('Cache-Control', 'no-store');
    res.type(contentType).send(body);
  }
}
