import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import {
  isUuid,
  parseRelayEventBatch,
  RelayMessageError,
  type RelayEvent,
} from '../../contracts/relay-events';
import {
  RELAY_SIGNATURE_HEADER,
  RELAY_TIMESTAMP_HEADER,
  verifyRelayRequest,
} from '../../contracts/node/relay-signature';
import { Public, SkipCsrf } from '../common/decorators';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator';
import { PortalMetrics } from '../metrics/portal-metrics';
import { RelayEventsService } from './relay-events.service';
import { RelayKeys } from './relay-keys.provider';
import { relayLinkErrors as errors } from './relay-link.errors';

/**
 * `POST /api/relay/events`: the relay's pair/close reports, HMAC-signed with a key derived from
 * RELAY_SECRET (contracts/node/relay-signature.ts) over the exact bytes received (`req.rawBody`, kept by
 * the body parser for /api/relay/). No login and no CSRF check: the signature is the authentication.
 * Documented in docs/relay.md rather than in the public OpenAPI description.
 */
@ApiExcludeController()
@Controller('relay')
export class RelayEventsController {
  constructor(
    private readonly keys: RelayKeys,
    private readonly events: RelayEventsService,
    private readonly metrics: PortalMetrics,
  ) {}

  @Public()
  @RateLimit('relay-events')
  @SkipCsrf()
  @Post('events')
  @HttpCode(200)
  async receive(
    @Req() req: Request & { rawBody?: Buffer },
    @Body() body: unknown,
  ): Promise<{ accepted: number; duplicates: number }> {
    const check = verifyRelayRequest(
      this.keys.signing.accepted,
      'events',
      { timestamp: req.headers[RELAY_TIMESTAMP_HEADER], signature: req.headers[RELAY_SIGNATURE_HEADER] },
      req.rawBody ?? Buffer.alloc(0),
    );
    if (check !== 'ok') {
      this.metrics.relayBatchRefused('bad_signature');
      throw errors.badSignature();
    }
    let events: RelayEvent[];
    try {
      events = parseRelayEventBatch(body);
    } catch (err) {
      if (err instanceof RelayMessageError) {
        this.metrics.relayBatchRefused('invalid');
        throw errors.invalidEvents(err.message);
      }
      throw err;
    }
    // The relay pairs any well-formed session id, but this portal mints only UUIDs: anything else
    // names no session of ours and must not reach a uuid column.
    const stranger = events.findIndex((e) => !isUuid(e.sessionId));
    if (stranger >= 0) {
      this.metrics.relayBatchRefused('unknown_session');
      throw errors.strangerSession(stranger);
    }
    return this.events.accept(events);
  }
}
