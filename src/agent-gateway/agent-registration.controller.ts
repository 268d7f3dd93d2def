import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import {
  isCompatibleProtocolVersion,
  parseRegisterRequest,
  PROTOCOL_VERSION,
  RegisterResponse,
} from '../../contracts/agent-protocol';
import { Public, SkipCsrf } from '../common/decorators';
import { DomainError, ErrorCode } from '../common/domain-error';
import { clientIp } from '../common/http/client-ip';
import { PublicRateLimiter } from '../quick-support/public-rate-limiter';
import { AgentRegistrationService } from './agent-registration.service';
import { RegisterAgentDto, RegisterAgentResponseDto } from './dto/register-agent.dto';

@ApiTags('agent')
@Public()
@SkipCsrf()
@Controller('agent')
export class AgentRegistrationController {
  constructor(
    private readonly registration: AgentRegistrationService,
    private readonly limiter: PublicRateLimiter,
  ) {}

  /**
   * Redeems a one-shot installer token (docs/protocol.md § 1). 201 with the device credential; 400 bad
   * input; 426 incompatible protocol version; 409 token already used (or the session already has a
   * device, or the token was made for another OS); 410 unknown or expired token, or the session ended.
   */
  @Post('register')
  @HttpCode(201)
  @ApiBody({ type: RegisterAgentDto })
  @ApiCreatedResponse({ type: RegisterAgentResponseDto })
  @ApiOperation({ summary: 'Agent registration with a one-shot installer token' })
  async register(@Body() body: unknown, @Req() req: Request): Promise<RegisterResponse> {
    const ip = clientIp(req);
    await this.limiter.hit(ip);
    const parsed = parseRegisterRequest(body);
    if (!parsed.ok) throw new DomainError(ErrorCode.ValidationFailed, parsed.error);
    if (!isCompatibleProtocolVersion(parsed.value.protocolVersion)) {
      throw new DomainError(
        ErrorCode.ProtocolMismatch,
        `This support tool speaks protocol ${parsed.value.protocolVersion}; the portal speaks ${PROTOCOL_VERSION}. Download the support tool again.`,
      );
    }
    try {
      return await this.registration.register(parsed.value);
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.InstallerTokenInvalid)
        await this.limiter.miss(ip);
      throw err;
    }
  }
}
