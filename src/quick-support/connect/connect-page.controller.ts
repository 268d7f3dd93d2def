import { Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { cleanDisplayText } from '../../../contracts/display-text';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { LANGUAGES } from '../../../contracts/i18n/language';
import type { Request, Response } from 'express';
import { Public } from '../../common/decorators';
import { ErrorCode } from '../../common/domain-error';
import { ApiErrorPages, ApiErrors } from '../../common/openapi/api-errors.decorator';
import { PagePass } from '../../common/rate-limit/page-pass';
import { RateLimit } from '../../common/rate-limit/rate-limit.decorator';
import { BrandingService } from '../../branding/branding.service';
import { AppConfig } from '../../config/app-config';
import { CustomerNoteDto, SupportNoteDto } from '../dto/support-session.dto';
import { quickSupportErrors as errors } from '../quick-support.errors';
import { QuickSupportService } from '../quick-support.service';
import { NoteTargetGone, SupportNotesService } from '../support-notes.service';
import { flashFromQuery, noteProblemText, readNote } from './connect-note';
import { renderClosedPage, renderConnectPage, STATUS_WORDS, type PageFrame } from './connect-page.renderer';
import { pageFrame } from './connect-text';
import { ConnectRateLimitFilter } from './connect-rate-limit.filter';
import { PublicStatusDto } from './public-status.dto';
import { detectOs, isPhoneOrTablet, parseOsChoice } from './os-detection';
import { pageCsp } from './public-headers';

/**
 * The customer's side of quick-support, outside the /api prefix: the connect page, its status poll
 * and its note box. Unknown, expired and ended tokens all get the same neutral page / 404 (a miss for
 * the routes' rate-limit policies). The page hands out the page pass that keeps its polls going
 * while someone else's guessing has spent the miss budget of the customer's network.
 */
const LANG_DOC =
  'The visitor’s chosen language (the page’s language links); without it, Accept-Language decides';

@ApiTags('connect (public)')
@Public()
@Controller('support/connect')
export class ConnectPageController {
  constructor(
    private readonly quickSupport: QuickSupportService,
    private readonly notes: SupportNotesService,
    private readonly pagePass: PagePass,
    private readonly config: AppConfig,
    private readonly branding: BrandingService,
  ) {}

  @Get(':token')
  @RateLimit('connect-page')
  @UseFilters(ConnectRateLimitFilter)
  @ApiQuery({ name: 'lang', enum: LANGUAGES, required: false, description: LANG_DOC })
  @ApiOperation({
    summary:
      'The branded connect page (HTML) in the customer’s language; 404 with a page saying whether the link ended, expired or does not work',
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
    const frame = await this.frame(query.lang, req);
    res.setHeader('Vary', 'Accept-Language, User-Agent, Sec-CH-UA-Platform, Sec-CH-UA-Mobile');
    const session = await this.quickSupport.findOpenByToken(token);
    if (!session) {
      const reason = await this.quickSupport.closedLinkReason(token);
      this.sendHtml(res, 404, frame.nonce, renderClosedPage(frame, reason));
      return;
    }
    const notes = await this.notes.recent(session.id);
    const platform = req.get('sec-ch-ua-platform');
    const chosenOs = parseOsChoice(query.os);
    const selectedOs = chosenOs ?? detectOs(req.get('user-agent'), platform);
    res.setHeader('Accept-CH', 'Sec-CH-UA-Platform, Sec-CH-UA-Mobile');
    const status = session.status === 'active' ? 'active' : 'waiting';
    const basePath = `/support/connect/${token}`;
    const page = renderConnectPage({
      ...frame,
      basePath,
      pageUrl: `${this.config.portalOrigin}${basePath}${frame.langQuery ? `?${frame.langQuery}` : ''}`,
      status,
      technicianName: displayNameOf(session.assignedTo),
      deviceHostname: status === 'active' ? (session.device?.hostname ?? null) : null,
      selectedOs,
      phone:
        chosenOs === null && isPhoneOrTablet(req.get('user-agent'), platform, req.get('sec-ch-ua-mobile')),
      notes,
      flash: flashFromQuery(query.sent, query.error, frame.text),
    });
    this.pagePass.issue(res, token);
    this.sendHtml(res, 200, frame.nonce, page);
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
  @ApiQuery({ name: 'lang', enum: LANGUAGES, required: false, description: LANG_DOC })
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
  async note(
    @Param('token') token: string,
    @Query('lang') lang: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const json = typeof req.is('application/json') === 'string';
    const frame = await this.frame(lang, req);
    const back = `/support/connect/${token}`;
    const keep = frame.langQuery ? `&${frame.langQuery}` : '';
    const session = await this.quickSupport.findOpenByToken(token);
    if (!session) return this.inactive(res, json, token, frame);
    const parsed = readNote(req.body);
    if ('problem' in parsed) {
      if (json) throw errors.invalidNote(noteProblemText(parsed.problem, frame.text));
      res.redirect(303, `${back}?error=${parsed.problem}${keep}`);
      return;
    }
    let saved: SupportNoteDto;
    try {
      saved = await this.notes.addCustomerNote(session.id, parsed.note);
    } catch (err) {
      if (err instanceof NoteTargetGone) return this.inactive(res, json, token, frame);
      throw err;
    }
    if (json) {
      res.status(201).json(saved);
      return;
    }
    res.redirect(303, `${back}?sent=1${keep}`);
  }

  private async inactive(res: Response, json: boolean, token: string, frame: PageFrame): Promise<void> {
    if (json) throw errors.linkInactive();
    const reason = await this.quickSupport.closedLinkReason(token);
    this.sendHtml(res, 404, frame.nonce, renderClosedPage(frame, reason));
  }

  /** The page's brand (with the logo, when one is configured) and language. */
  private async frame(lang: unknown, req: Request): Promise<PageFrame> {
    const brand = { ...this.config.brand, logoUrl: await this.branding.logoUrl() };
    return pageFrame(brand, lang, req.get('accept-language'));
  }

  private sendHtml(res: Response, status: number, nonce: string, body: string): void {
    res.setHeader('Content-Security-Policy', pageCsp(nonce, this.config.brand.logoUrl));
    res.status(status).type('text/html; charset=utf-8').send(body);
  }
}

/** The technician's name as the customer sees it: cleaned, since older rows were stored unchecked. */
function displayNameOf(user: { displayName: string } | null | undefined): string | null {
  const name = user ? cleanDisplayText(user.displayName) : '';
  return name === '' ? null : name;
}
