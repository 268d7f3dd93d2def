import { Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { cleanDisplayText } from '../../../contracts/display-text';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../../common/decorators';
import { ErrorCode } from '../../common/domain-error';
import { ApiErrorPages, ApiErrors } from '../../common/openapi/api-errors.decorator';
import { PagePass } from '../../common/rate-limit/page-pass';
import { RateLimit } from '../../common/rate-limit/rate-limit.decorator';
import { AppConfig } from '../../config/app-config';
import { CustomerNoteDto, SupportNoteDto } from '../dto/support-session.dto';
import { quickSupportErrors as errors } from '../quick-support.errors';
import { QuickSupportService } from '../quick-support.service';
import { NoteTargetGone, SupportNotesService } from '../support-notes.service';
import { flashFromQuery, NOTE_PROBLEM_TEXT, readNote } from './connect-note';
import { renderConnectPage, renderInactivePage, STATUS_WORDS } from './connect-page.renderer';
import { ConnectRateLimitFilter } from './connect-rate-limit.filter';
import { PublicStatusDto } from './public-status.dto';
import { detectOs, parseOsChoice } from './os-detection';
import { newNonce, pageCsp } from './public-headers';

/**
 * The customer's side of quick-support, outside the /api prefix: the connect page, its status poll
 * and its note box. Unknown, expired and ended tokens all get the same neutral page / 404 (a miss for
 * the routes' rate-limit policies). The page hands out the page pass that keeps its polls going
 * while someone else's guessing has spent the miss budget of the customer's network.
 */
@ApiTags('connect (public)')
@Public()
@Controller('support/connect')
export class ConnectPageController {
  constructor(
    private readonly quickSupport: QuickSupportService,
    private readonly notes: SupportNotesService,
    private readonly pagePass: PagePass,
    private readonly config: AppConfig,
  ) {}

  @Get(':token')
  @RateLimit('connect-page')
  @UseFilters(ConnectRateLimitFilter)
  @ApiOperation({
    summary: 'The branded connect page (HTML); 404 with a neutral page for unknown, expired or ended links',
  })
  @ApiOkResponse({
    description: 'The connect page, with its own nonce CSP; sets the page pass cookie for its polls',
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  @ApiErrorPages({
    404: { media: 'text/html', description: 'A neutral page: the link is unknown, expired or ended' },
    429: { media: 'text/html', description: 'A page asking the customer to wait (with Retry-After)' },
  })
  async page(
    @Param('token') token: string,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const nonce = newNonce();
    const session = await this.quickSupport.findOpenByToken(token);
    if (!session) {
      this.sendHtml(res, 404, nonce, renderInactivePage(this.config.brand, nonce));
      return;
    }
    const notes = await this.notes.recent(session.id);
    const selectedOs =
      parseOsChoice(query.os) ?? detectOs(req.get('user-agent'), req.get('sec-ch-ua-platform'));
    res.setHeader('Accept-CH', 'Sec-CH-UA-Platform');
    res.setHeader('Vary', 'User-Agent, Sec-CH-UA-Platform');
    const status = session.status === 'active' ? 'active' : 'waiting';
    const page = renderConnectPage({
      brand: this.config.brand,
      nonce,
      basePath: `/support/connect/${token}`,
      status,
      technicianName: displayNameOf(session.assignedTo),
      deviceHostname: status === 'active' ? (session.device?.hostname ?? null) : null,
      selectedOs,
      notes,
      flash: flashFromQuery(query.sent, query.error),
    });
    this.pagePass.issue(res, token);
    this.sendHtml(res, 200, nonce, page);
  }

  @Get(':token/status')
  @RateLimit('connect-status')
  @ApiOperation({
    summary: 'Session status for the page’s 5-second poll; 404 once the link is no longer active',
  })
  @ApiOkResponse({ type: PublicStatusDto })
  @ApiErrors([ErrorCode.NotFound, 'the link is unknown, expired or ended'])
  async status(
    @Param('token') token: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PublicStatusDto> {
    const session = await this.quickSupport.findOpenByToken(token);
    if (!session) throw errors.linkInactive();
    this.pagePass.issue(res, token);
    const status = session.status === 'active' ? 'active' : 'waiting';
    return {
      status,
      statusText: STATUS_WORDS[status],
      technician: displayNameOf(session.assignedTo),
      device: status === 'active' ? (session.device?.hostname ?? null) : null,
    };
  }

  @Post(':token/note')
  @RateLimit('connect-note')
  @UseFilters(ConnectRateLimitFilter)
  @HttpCode(201)
  @ApiBody({
    type: CustomerNoteDto,
    description: 'JSON, or a plain HTML form post (application/x-www-form-urlencoded)',
  })
  @ApiOperation({
    summary: 'A note from the customer to the technician. A form post is answered with 303 back to the page.',
  })
  @ApiCreatedResponse({ type: SupportNoteDto, description: 'JSON: the note as the technician sees it' })
  @ApiResponse({
    status: 303,
    description:
      'Form post: back to the page, with `?sent=1`, `?error=<problem>` for a note the page explains, or `?error=rate`',
  })
  @ApiErrors(
    [ErrorCode.NotFound, 'the link is not active (a form post gets the neutral HTML page instead)'],
    [
      ErrorCode.ValidationFailed,
      'JSON: the note is empty, longer than 1000 characters or has control characters',
    ],
    [
      ErrorCode.RateLimited,
      'the session has had the most notes it allows (JSON; a form post goes back with `?error=rate`)',
    ],
  )
  async note(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const json = typeof req.is('application/json') === 'string';
    const back = `/support/connect/${token}`;
    const nonce = newNonce();
    const session = await this.quickSupport.findOpenByToken(token);
    if (!session) return this.inactive(res, json, nonce);
    const parsed = readNote(req.body);
    if ('problem' in parsed) {
      if (json) throw errors.invalidNote(NOTE_PROBLEM_TEXT[parsed.problem]);
      res.redirect(303, `${back}?error=${parsed.problem}`);
      return;
    }
    let saved: SupportNoteDto;
    try {
      saved = await this.notes.addCustomerNote(session.id, parsed.note);
    } catch (err) {
      if (err instanceof NoteTargetGone) return this.inactive(res, json, nonce);
      throw err;
    }
    if (json) {
      res.status(201).json(saved);
      return;
    }
    res.redirect(303, `${back}?sent=1`);
  }

  private inactive(res: Response, json: boolean, nonce: string): void {
    if (json) throw errors.linkInactive();
    this.sendHtml(res, 404, nonce, renderInactivePage(this.config.brand, nonce));
  }

  private sendHtml(res: Response, status: number, nonce: string, body: string): void {
    res.setHeader('Content-Security-Policy', pageCsp(nonce));
    res.status(status).type('text/html; charset=utf-8').send(body);
  }
}

/** The technician's name as the customer sees it: cleaned, since older rows were stored unchecked. */
function displayNameOf(user: { displayName: string } | null | undefined): string | null {
  const name = user ? cleanDisplayText(user.displayName) : '';
  return name === '' ? null : name;
}
