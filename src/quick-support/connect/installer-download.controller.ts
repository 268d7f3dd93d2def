import { Controller, Get, Logger, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { LANGUAGES } from '../../../contracts/i18n/language';
import { INSTALLER_OSES, InstallerOs } from '../../../contracts/installer-template';
import { Public } from '../../common/decorators';
import { ErrorCode } from '../../common/domain-error';
import { ApiErrorPages, ApiErrors } from '../../common/openapi/api-errors.decorator';
import { RateLimit } from '../../common/rate-limit/rate-limit.decorator';
import { AppConfig } from '../../config/app-config';
import { installerFileName } from '../../installers/install-commands';
import { InstallersService } from '../../installers/installers.service';
import { quickSupportErrors as errors } from '../quick-support.errors';
import { QuickSupportService } from '../quick-support.service';
import { renderClosedPage } from './connect-page.renderer';
import { pageFrame } from './connect-text';
import { isLinkPreviewAgent } from './link-preview';
import { pageCsp } from './public-headers';

/**
 * `GET /support/connect/:token/download/:os`: each download mints a fresh one-shot installer token
 * and serves the script embedding it as an attachment. HEAD requests and link-preview bots get the
 * headers only and mint nothing. It lives with the connect page it is linked from; the token and the
 * script come from InstallersService, what the installers module exports. The script tells the agent
 * the customer's language (`?lang=` from the page's link, else Accept-Language).
 */
@ApiTags('connect (public)')
@Public()
@Controller('support/connect')
export class InstallerDownloadController {
  private readonly logger = new Logger(InstallerDownloadController.name);

  constructor(
    private readonly quickSupport: QuickSupportService,
    private readonly installers: InstallersService,
    private readonly config: AppConfig,
  ) {}

  @Get(':token/download/:os')
  @RateLimit('installer-download')
  @ApiParam({ name: 'os', enum: INSTALLER_OSES })
  @ApiQuery({
    name: 'lang',
    enum: LANGUAGES,
    required: false,
    description: 'The language the agent speaks on the customer’s computer (default: from Accept-Language)',
  })
  @ApiOperation({
    summary: 'Download the install script for one OS (mints a one-shot installer token per download)',
  })
  @ApiOkResponse({
    description:
      'The install script as an attachment (Content-Disposition names the file); HEAD answers the headers only and mints nothing',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiErrors(
    [ErrorCode.ValidationFailed, 'os is not one of windows, macos, linux'],
    [ErrorCode.AgentNotBuilt, 'the agent has not been built on this server'],
    [ErrorCode.Unavailable, 'the script could not be prepared (the portal configuration is not usable)'],
  )
  @ApiErrorPages({
    403: {
      media: 'text/plain',
      description: 'A link-preview bot: the link must be opened in a web browser (nothing is minted)',
    },
    404: { media: 'text/html', description: 'A neutral page: the link is unknown, expired or ended' },
    409: {
      media: 'text/plain',
      description: 'The support session already has a connected computer',
    },
  })
  async download(
    @Param('token') token: string,
    @Param('os') os: string,
    @Query('lang') lang: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (!isInstallerOs(os)) throw errors.unknownOs();
    const frame = pageFrame(this.config.brand, lang, req.get('accept-language'));
    const session = await this.quickSupport.findOpenByToken(token);
    if (!session) {
      res.setHeader('Content-Security-Policy', pageCsp(frame.nonce, frame.brand.logoUrl));
      res
        .status(404)
        .type('text/html; charset=utf-8')
        .send(renderClosedPage(frame, await this.quickSupport.closedLinkReason(token)));
      return;
    }
    if (session.status !== 'waiting') {
      res
        .status(409)
        .type('text/plain; charset=utf-8')
        .send(`${frame.text.t('downloads.alreadyConnected')}\n`);
      return;
    }
    const fileName = installerFileName(this.config.brand.installerBaseName, os);
    const attachment = (): void => {
      res.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
      res.setHeader('Content-Type', 'application/octet-stream');
    };
    if (req.method === 'HEAD') {
      await this.installers.assertAvailable(os);
      attachment();
      res.status(200).end();
      return;
    }
    if (isLinkPreviewAgent(req.get('user-agent'))) {
      res
        .status(403)
        .type('text/plain; charset=utf-8')
        .send('Open this link in a web browser to download the support tool.\n');
      return;
    }
    const rendered = await this.installers.renderForSession(session.id, os, frame.text.lang);
    this.logger.log(`Installer for ${os} served for support session ${session.id}`);
    attachment();
    res.status(200).send(Buffer.from(rendered.script, 'utf8'));
  }
}

function isInstallerOs(value: string): value is InstallerOs {
  return (INSTALLER_OSES as readonly string[]).includes(value);
}
