import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
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
import { ErrorCode } from '../common/domain-error';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { SECURITY } from '../common/openapi/route-policies';
import {
  RelayClosedEventDto,
  RelayEventBatchDto,
  RelayEventsAcceptedDto,
  RelayPairedEventDto,
} from './dto/relay-events.dto';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator';
import { PortalMetrics } from '../metrics/portal-metrics';
import { RelayEventsService } from './relay-events.service';
import { RelayKeys } from './relay-keys.provider';
import { relayLinkErrors as errors } from './relay-link.errors';

/**
 * `POST /api/relay/events`: the relay's pair/close reports, HMAC-signed with a key derived from
 * RELAY_SECRET (contracts/node/relay-signature.ts) over the exact bytes received (`req.rawBody`, kept by
 * the body parser for /api/relay/). No login and no CSRF check: the signature is the authentication.
 * Its protocol is in docs/relay.md; the OpenAPI description has its shape and its signature scheme.
 */
@ApiTags('relay')
@ApiExtraModels(RelayPairedEventDto, RelayClosedEventDto)
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
  @ApiSecurity(SECURITY.relaySignature)
  @ApiOperation({
    summary:
      'The relay’s pair/close reports (at most once per event id), signed with a key from RELAY_SECRET',
  })
  @ApiBody({ type: RelayEventBatchDto })
  @ApiOkResponse({ type: RelayEventsAcceptedDto })
  @ApiErrors(
    [ErrorCode.InvalidSignature, 'the signature or its timestamp is missing, stale or not valid'],
    [ErrorCode.ValidationFailed, 'the batch is not well formed, or names a session id that is not a UUID'],
  )
  async receive(
    @Req() req: Request & { rawBody?: Buffer },
    @Body() body: unknown,
  ): Promise<RelayEventsAcceptedDto> {
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
