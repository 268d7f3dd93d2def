import { Body, Controller, Get, Header, Logger, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { AdminOnly, ReadsRecordings } from '../access/access.decorator';
import type { AuthUser } from '../common/auth-user';
import { CurrentUser } from '../common/decorators';
import { ErrorCode } from '../common/domain-error';
import { ApiErrors, type ApiErrorEntry } from '../common/openapi/api-errors.decorator';
import { parseId } from '../common/parse-id.pipe';
import {
  ListRecordingsQueryDto,
  RecordingDto,
  RecordingListDto,
  RecordingPlaybackDto,
  RecordingSettingsDto,
  SetLegalHoldDto,
} from './dto/recording.dto';
import { RecordingExportService } from './recording-export.service';
import { RecordingIntegrityService } from './recording-integrity.service';
import { RecordingQueries } from './recording.queries';
import { RecordingsService } from './recordings.service';
import { recordingErrors as errors } from './recordings.errors';

const NOT_FOUND: ApiErrorEntry = [
  ErrorCode.RecordingNotFound,
  'no such recording, not a recording id, or (for a technician) not one of their sessions',
];
const STORE_DOWN: ApiErrorEntry = [ErrorCode.Unavailable, 'the recordings store cannot be read'];
const BROKEN: ApiErrorEntry = [
  ErrorCode.RecordingBroken,
  'the chunk does not match the manifest (or the manifest its signed chain); header X-Recording-Broken-At names the first untrusted chunk',
];
const CHUNK_INDEX = /^(0|[1-9][0-9]{0,4})$/;

/** Session recordings (README "Recording and retention"): list, watch, verify, export, hold. */
@ApiTags('recordings')
@Controller()
export class RecordingsController {
  private readonly logger = new Logger(RecordingsController.name);

  constructor(
    private readonly recordings: RecordingsService,
    private readonly integrity: RecordingIntegrityService,
    private readonly exporter: RecordingExportService,
    private readonly queries: RecordingQueries,
  ) {}

  @Get('recordings/settings')
  @ReadsRecordings()
  @ApiOperation({ summary: 'The recording policy, strictness, retention and store kind (no paths)' })
  @ApiOkResponse({ type: RecordingSettingsDto })
  settings(): RecordingSettingsDto {
    return this.recordings.settings();
  }

  @Get('recordings')
  @ReadsRecordings()
  @ApiOperation({ summary: 'Recordings, newest first, filtered (all filters AND) and paged' })
  @ApiOkResponse({ type: RecordingListDto })
  @ApiErrors([ErrorCode.ValidationFailed, 'a filter is malformed, or from is not before to'])
  list(@CurrentUser() user: AuthUser, @Query() q: ListRecordingsQueryDto): Promise<RecordingListDto> {
    return this.recordings.list(user, q);
  }

  @Get('remote-sessions/:id/recordings')
  @ReadsRecordings()
  @ApiOperation({ summary: 'The recordings of one remote session (one per recorded channel and pairing)' })
  @ApiOkResponse({ type: RecordingListDto })
  @ApiErrors(
    [ErrorCode.NotFound, 'no such remote session, or (for a technician) not theirs'],
    [ErrorCode.ValidationFailed, 'the id is not a UUID'],
  )
  async forSession(
    @CurrentUser() user: AuthUser,
    @Param('id', parseId()) id: string,
  ): Promise<RecordingListDto> {
    const facts = await this.queries.sessionFacts(id);
    if (!facts && !(await this.queries.anyForSession(id))) throw errors.sessionNotFound();
    if (facts && user.role === 'technician' && facts.technicianId !== user.id) throw errors.sessionNotFound();
    return this.recordings.list(user, { sessionId: id, limit: 100 });
  }

  @Get('recordings/:id')
  @ReadsRecordings()
  @ApiOperation({ summary: 'One recording' })
  @ApiOkResponse({ type: RecordingDto })
  @ApiErrors(NOT_FOUND)
  get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<RecordingDto> {
    return this.recordings.get(user, id);
  }

  @Get('recordings/:id/playback')
  @ReadsRecordings()
  @ApiOperation({
    summary: 'What a player needs: the chunks and how many may be played (audited: recording.viewed)',
    description:
      'The manifest’s chain is checked against the head the relay signed (kept until a new head arrives); only the chunks that head covers are listed, and `playableChunks` stops before the first untrusted chunk. `recording.viewed` is written at most once per user and recording in 10 minutes.',
  })
  @ApiOkResponse({ type: RecordingPlaybackDto })
  @ApiErrors(NOT_FOUND, STORE_DOWN, [ErrorCode.AuditUnavailable, 'the view could not be audited'])
  playback(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<RecordingPlaybackDto> {
    return this.recordings.playback(user, id);
  }

  @Get('recordings/:id/chunks/:index')
  @ReadsRecordings()
  @Header('Cache-Control', 'private, no-store')
  @ApiOperation({
    summary:
      'One chunk’s bytes, checked against the manifest’s SHA-256 before they are sent (audited: recording.viewed)',
  })
  @ApiOkResponse({
    description: 'The chunk (screen records or asciicast lines)',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiErrors(
    [ErrorCode.RecordingNotFound, 'no such recording (or not yours), or the index is past the playable end'],
    [ErrorCode.ValidationFailed, 'index is not a whole number'],
    BROKEN,
    STORE_DOWN,
  )
  async chunk(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('index') index: string,
    @Res() res: Response,
  ): Promise<void> {
    if (!CHUNK_INDEX.test(index)) throw errors.badChunkIndex();
    const bytes = await this.recordings.chunk(user, id, Number(index));
    res.status(200);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(bytes);
  }

  @Post('recordings/:id/verify')
  @ReadsRecordings({ roles: 'readers' })
  @ApiOperation({
    summary: 'Check the recording’s integrity now (manifest, chain, every chunk) and keep the result',
  })
  @ApiOkResponse({ type: RecordingDto })
  @ApiErrors(NOT_FOUND, STORE_DOWN)
  async verify(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<RecordingDto> {
    const row = await this.recordings.visible(user, id);
    await this.integrity.verify(row.id);
    return this.recordings.get(user, row.id);
  }

  @Get('recordings/:id/export.zip')
  @AdminOnly()
  @ApiOperation({
    summary:
      'The recording as a zip: manifest.json, every chunk, recording.json (audited: recording.exported)',
  })
  @ApiOkResponse({
    description:
      'An attachment `recording-<id>.zip` (not cached). A failure after the first bytes ends it early.',
    content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiErrors(NOT_FOUND, STORE_DOWN, [ErrorCode.AuditUnavailable, 'the export could not be audited'])
  async export(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const zip = await this.exporter.export(user, id);
    res.status(200);
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', `attachment; filename="${zip.fileName}"`);
    res.setHeader('Cache-Control', 'private, no-store');
    try {
      await pipeline(zip.stream, res);
    } catch (err) {
      this.logger.warn(`Recording export ended early: ${err instanceof Error ? err.message : String(err)}`);
      res.destroy();
    }
  }

  @Put('recordings/:id/legal-hold')
  @AdminOnly()
  @ApiOperation({
    summary: 'Put a recording on legal hold (retention keeps it) or release it; audited with the note',
  })
  @ApiOkResponse({ type: RecordingDto })
  @ApiErrors(
    NOT_FOUND,
    [ErrorCode.ValidationFailed, 'hold is not a boolean, or the note is too long'],
    [ErrorCode.AuditUnavailable, 'the change could not be audited'],
  )
  legalHold(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: SetLegalHoldDto,
  ): Promise<RecordingDto> {
    return this.recordings.setLegalHold(user, id, dto);
  }
}
