import { Controller, Get, Logger, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { REMOTE_SESSION_HISTORY_LIMITS as LIMITS } from '../../contracts/api/remote-sessions';
import { ReadsHistory } from '../access/access.decorator';
import { readScope } from '../access/access-rules';
import type { AuthUser } from '../common/auth-user';
import { CurrentUser } from '../common/decorators';
import { ErrorCode } from '../common/domain-error';
import { ApiErrors, type ApiErrorEntry } from '../common/openapi/api-errors.decorator';
import {
  RemoteSessionHistoryDto,
  RemoteSessionHistoryPageQueryDto,
  RemoteSessionHistoryQueryDto,
} from './dto/remote-session.dto';
import { REMOTE_SESSION_CSV_HEADER, remoteSessionCsvRecord } from './remote-session-csv';
import { HistoryFilter, RemoteSessionQueries } from './remote-session.queries';

const BAD_INPUT: ApiErrorEntry = [
  ErrorCode.ValidationFailed,
  'q is longer than 100 characters, endReason is not an end reason, limit is out of 1–100 or offset out of 0–10000',
];

/**
 * The remote-session history: ended sessions of any age, searched and paged, and its CSV export.
 * Registered before RemoteSessionsController so `history` and `export.csv` are not read as an `:id`.
 */
@ApiTags('remote-sessions')
@Controller('remote-sessions')
export class RemoteSessionHistoryController {
  private readonly logger = new Logger(RemoteSessionHistoryController.name);

  constructor(private readonly queries: RemoteSessionQueries) {}

  @Get('history')
  @ReadsHistory()
  @ApiOperation({
    summary:
      'Ended sessions of any age, newest end first, searched (customer, device, technician, reason, end reason) and paged; administrators and auditors read everyone’s, a technician their own',
  })
  @ApiOkResponse({ type: RemoteSessionHistoryDto })
  @ApiErrors(BAD_INPUT)
  history(
    @CurrentUser() user: AuthUser,
    @Query() q: RemoteSessionHistoryPageQueryDto,
  ): Promise<RemoteSessionHistoryDto> {
    return this.queries.history(
      historyFilter(user, q),
      { limit: q.limit ?? 25, offset: q.offset ?? 0 },
      LIMITS.countMax,
    );
  }

  @Get('export.csv')
  @ReadsHistory()
  @ApiOperation({
    summary: `The history the filters match as a CSV download (streamed, newest end first, at most ${LIMITS.exportMax} rows)`,
    description:
      'RFC 4180; a field a spreadsheet would run as a formula (starting with = + - @, tab or CR) has a leading apostrophe.',
  })
  @ApiOkResponse({
    description: 'An attachment (not cached): a header row, then one session per record',
    content: { 'text/csv': { schema: { type: 'string' } } },
  })
  @ApiErrors(BAD_INPUT)
  async csv(
    @CurrentUser() user: AuthUser,
    @Query() q: RemoteSessionHistoryQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    const batches = this.queries.historyBatches(historyFilter(user, q), LIMITS.exportMax);
    // The first batch is read before anything is sent: a database failure is still an ordinary error.
    const first = await batches.next();
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="remote-sessions-${stamp}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    async function* chunks(): AsyncGenerator<string> {
      yield REMOTE_SESSION_CSV_HEADER + (first.done ? '' : first.value.map(remoteSessionCsvRecord).join(''));
      for await (const batch of batches) yield batch.map(remoteSessionCsvRecord).join('');
    }
    try {
      await pipeline(Readable.from(chunks()), res);
    } catch (err) {
      // The header is gone: a broken download is the only honest answer left.
      this.logger.warn(`History export ended early: ${err instanceof Error ? err.message : String(err)}`);
      res.destroy();
    }
  }
}

function historyFilter(user: AuthUser, q: RemoteSessionHistoryQueryDto): HistoryFilter {
  return { q: q.q, endReason: q.endReason, technicianId: readScope(user)?.technicianId };
}
