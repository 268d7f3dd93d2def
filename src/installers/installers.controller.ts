import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../common/domain-error';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { SECURITY } from '../common/openapi/route-policies';
import type { Request, Response } from 'express';
import type { AuthUser } from '../common/auth-user';
import { AdminOnly } from '../access/access.decorator';
import { CurrentUser, Public, SkipCsrf } from '../common/decorators';
import { AppConfig } from '../config/app-config';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator';
import { CreateInstallerDto, InstallerCommandDto } from './dto/installer.dto';
import { PERSISTENT_RUN_STEPS, persistentInstallCommand } from './install-commands';
import { InstallerTokensService } from './installer-tokens.service';
import { installerErrors as errors } from './installers.errors';
import { InstallersService } from './installers.service';

export const PERSISTENT_SCRIPT_PATH = '/api/installers/script';

@ApiTags('installers')
@Controller('installers')
export class InstallersController {
  constructor(
    private readonly installers: InstallersService,
    private readonly tokens: InstallerTokensService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @AdminOnly()
  @ApiOperation({
    summary: 'A one-line persistent-agent install command for one OS, bound to a fresh one-shot token',
  })
  @ApiCreatedResponse({ type: InstallerCommandDto })
  @ApiErrors([ErrorCode.AgentNotBuilt, 'the agent has not been built on this server (npm run build:agent)'])
  async create(@CurrentUser() user: AuthUser, @Body() dto: CreateInstallerDto): Promise<InstallerCommandDto> {
    await this.installers.assertAvailable(dto.os);
    const minted = await this.tokens.mintPersistent(user.id, dto.os);
    const scriptUrl = `${this.config.portalOrigin}${PERSISTENT_SCRIPT_PATH}`;
    return {
      os: dto.os,
      mode: 'persistent',
      command: persistentInstallCommand(dto.os, scriptUrl, minted.token),
      steps: PERSISTENT_RUN_STEPS[dto.os],
      scriptUrl,
      expiresAt: minted.expiresAt.toISOString(),
    };
  }

  @Get('script')
  @Public()
  @RateLimit('installer-script')
  @SkipCsrf()
  @ApiBearerAuth(SECURITY.installerToken)
  @ApiOkResponse({
    description: 'The install script (shell or PowerShell) embedding the token; not cached',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiErrors(
    [ErrorCode.InstallerTokenInvalid, 'no token, or it is unknown, used or expired'],
    [ErrorCode.AgentNotBuilt, 'the agent has not been built on this server'],
    [ErrorCode.Unavailable, 'the script could not be prepared (the portal configuration is not usable)'],
  )
  @ApiOperation({
    summary:
      'The persistent install script for the token in `Authorization: Bearer` (used by the install command)',
  })
  async script(@Req() req: Request, @Res() res: Response): Promise<void> {
    const match = /^Bearer ([A-Za-z0-9_-]{1,128})$/.exec(req.get('authorization') ?? '');
    const row = match?.[1] ? await this.tokens.findUsablePersistent(match[1]) : null;
    if (!match?.[1] || !row) throw errors.tokenInvalid();
    const script = req.method === 'HEAD' ? '' : await this.installers.renderPersistent(row.os, match[1]);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.status(200).type('text/plain; charset=utf-8').send(script);
  }
}
