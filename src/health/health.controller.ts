import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../common/decorators';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator';
import { PORTAL_VERSION } from '../version';
import { HealthDto } from './dto/health.dto';
import { healthErrors } from './health.errors';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @Public()
  @RateLimit('health')
  @Get()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Liveness and database reachability; 503 `unavailable` when the database cannot be reached',
  })
  @ApiOkResponse({ type: HealthDto })
  async health(): Promise<HealthDto> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch (err) {
      throw healthErrors.databaseUnreachable(err instanceof Error ? err.name : 'error');
    }
    return { status: 'ok', database: 'up', version: PORTAL_VERSION };
  }
}
