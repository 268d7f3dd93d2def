import { ArgumentsHost, Catch } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isLanguage } from '../../../contracts/i18n/language';
import { DomainError, ErrorCode } from '../../common/domain-error';
import { AllExceptionsFilter } from '../../common/filters/all-exceptions.filter';
import { AppConfig } from '../../config/app-config';
import { renderRateLimitedPage } from './connect-page.renderer';
import { pageFrame } from './connect-text';
import { pageCsp } from './public-headers';

/**
 * A rate-limit refusal on the connect page's HTML routes, in the customer's terms: the page itself
 * answers 429 with a page (and Retry-After); the no-JavaScript note form goes back to the page with
 * a message. JSON callers, and every other error, get the usual `{ code, message }`.
 */
@Catch()
export class ConnectRateLimitFilter extends AllExceptionsFilter {
  constructor(private readonly config: AppConfig) {
    super();
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() === 'http' && isRateLimited(exception)) {
      const req = host.switchToHttp().getRequest<Request>();
      const res = host.switchToHttp().getResponse<Response>();
      const json = typeof req.is('application/json') === 'string';
      const token = typeof req.params.token === 'string' ? req.params.token : '';
      if (!res.headersSent && req.method === 'POST' && !json) {
        const lang = isLanguage(req.query.lang) ? `&lang=${req.query.lang}` : '';
        res.redirect(303, `/support/connect/${encodeURIComponent(token)}?error=rate${lang}`);
        return;
      }
      if (!res.headersSent && req.method !== 'POST') {
        const retry = exception.headers['Retry-After'] ?? '60';
        const frame = pageFrame(this.config.brand, req.query.lang, req.get('accept-language'));
        res.setHeader('Retry-After', retry);
        res.setHeader('Content-Security-Policy', pageCsp(frame.nonce, frame.brand.logoUrl));
        res.status(429).type('text/html; charset=utf-8').send(renderRateLimitedPage(frame, retry));
        return;
      }
    }
    super.catch(exception, host);
  }
}

function isRateLimited(e: unknown): e is DomainError {
  return e instanceof DomainError && e.code === ErrorCode.RateLimited;
}
