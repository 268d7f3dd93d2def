import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/decorators';
import { ErrorCode } from '../common/domain-error';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator';
import { BrandingDto } from './branding.dto';
import { brandingErrors } from './branding.errors';
import { BrandingService } from './branding.service';

/**
 * A logo is an image, never a document: an SVG opened on its own gets no script, no plug-ins, no
 * outside requests and a sandbox (scripts inside an SVG never run from an <img> anyway).
 */
const LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/** The brand, for the dashboard's login page (before sign-in) and every page after it. */
@ApiTags('branding (public)')
@Public()
@RateLimit('branding')
@Controller('branding')
export class BrandingController {
  constructor(private readonly brandingService: BrandingService) {}

  @Get()
  @Header('Cache-Control', 'no-cache')
  @ApiOperation({ summary: 'The brand name, colours (with readable text colours) and logo address' })
  @ApiOkResponse({ type: BrandingDto })
  branding(): Promise<BrandingDto> {
    return this.brandingService.branding();
  }

  @Get('logo')
  @ApiOperation({
    summary: 'The logo file from DATA_DIR/brand (logo.svg or logo.png, at most 256 KiB)',
  })
  @ApiOkResponse({
    description: 'The logo, with its own content type and a script-free CSP',
    content: {
      'image/svg+xml': { schema: { type: 'string', format: 'binary' } },
      'image/png': { schema: { type: 'string', format: 'binary' } },
    },
  })
  @ApiErrors([ErrorCode.NotFound, 'no logo file, or one too large or of the wrong type'])
  async logo(@Res() res: Response): Promise<void> {
    const logo = await this.brandingService.logoFile();
    if (!logo) throw brandingErrors.noLogo();
    res.setHeader('Content-Type', logo.contentType);
    res.setHeader('Content-Security-Policy', LOGO_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.status(200).send(logo.body);
  }
}
