import { Controller, Get, Logger, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../common/domain-error';
import { ApiErrors, type ApiErrorEntry } from '../common/openapi/api-errors.decorator';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ReadsAuditTrail, ReadsRemoteSessionTrail } from '../access/access.decorator';
import type { AuthUser } from '../common/auth-user';
import { CurrentUser } from '../common/decorators';
import { parseId } from '../common/parse-id.pipe';
import {
  AuditEventPageDto,
  ExportAuditEventsQueryDto,
  ListAuditEventsQueryDto,
  RemoteSessionTimelineDto,
} from './dto/audit-event.dto';
import { AuditLogService } from './audit-log.service';

const BAD_INPUT: ApiErrorEntry = [
  ErrorCode.ValidationFailed,
  'a filter is not a UUID, a date, an action name, from is later than to, limit is out of 1–200, or before is not a cursor this list gave out',
];

/** The audit trail, read: the Audit page, its CSV export, and a remote session's timeline. */
@ApiTags('audit')
@Controller()
export class AuditLogController {
  private readonly logger = new Logger(AuditLogController.name);

  constructor(private readonly audit: AuditLogService) {}

  @Get('audit-events')
  @ReadsAuditTrail()
  @ApiOperation({
    summary:
      'Audit lines, newest first, filtered (all filters AND); administrators read every line, a technician the lines of their own remote sessions',
    description: "Page with `before` = the previous page's `nextCursor`.",
  })
  @ApiOkResponse({ type: AuditEventPageDto })
  @ApiErrors(BAD_INPUT)
  list(@CurrentUser() user: AuthUser, @Query() q: ListAuditEventsQueryDto): Promise<AuditEventPageDto> {
    return this.audit.page(user, q);
  }

  @Get('audit-events.csv')
  @ReadsAuditTrail()
  @ApiOperation({
    summary: 'Every audit line the filters match, as a CSV download (streamed, newest first)',
    description:
      "RFC 4180; a field a spreadsheet would run as a formula (starting with = + - @, tab or CR) has a leading apostrophe. `details` is the line's JSON.",
  })
  @ApiOkResponse({
    description:
      'An attachment `audit-events-<time>.csv` (not cached), a header row first. A failure after the first bytes ends the download early.',
    content: { 'text/csv': { schema: { type: 'string' } } },
  })
  @ApiErrors(BAD_INPUT)
  async csv(
    @CurrentUser() user: AuthUser,
    @Query() q: ExportAuditEventsQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    const chunks = await this.audit.csv(user, q);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="audit-events-${stamp}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    try {
      await pipeline(Readable.from(chunks), res);
    } catch (err) {
      // The header is gone: the only honest answer left is a broken download (a client that went away
      // lands here too).
      this.logger.warn(`Audit export ended early: ${err instanceof Error ? err.message : String(err)}`);
      res.destroy();
    }
  }

  @Get('remote-sessions/:id/timeline')
  @ReadsRemoteSessionTrail()
  @ApiOperation({
    summary:
      'A remote session’s audit lines, oldest first: start, consent, mode changes, commands, Quick Assist, reconnects, end and its reason',
  })
  @ApiOkResponse({ type: RemoteSessionTimelineDto })
  @ApiErrors([ErrorCode.NotFound, 'there is no such remote session'])
  timeline(@Param('id', parseId()) id: string): Promise<RemoteSessionTimelineDto> {
    return this.audit.timeline(id);
  }
}
