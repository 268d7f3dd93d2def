import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  isCompatibleProtocolVersion,
  parseRegisterRequest,
  PROTOCOL_VERSION,
  RegisterResponse,
} from '../../contracts/agent-protocol';
import { Public, SkipCsrf } from '../common/decorators';
import { DomainError, ErrorCode } from '../common/domain-error';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator';
import { AgentRegistrationService } from './agent-registration.service';
import { RegisterAgentDto, RegisterAgentResponseDto } from './dto/register-agent.dto';

@ApiTags('agent')
@Public()
@SkipCsrf()
@Controller('agent')
export class AgentRegistrationController {
  constructor(private readonly registration: AgentRegistrationService) {}

  /**
   * Redeems a one-shot installer token (docs/protocol.md § 1). 201 with the device credential; 400 bad
   * input; 426 incompatible protocol version; 409 token already used (or the session already has a
   * device, or the token was made for another OS); 410 unknown or expired token, or the session ended
   * (a miss for the `agent-register` rate-limit policy).
   */
  @Post('register')
  @RateLimit('agent-register')
  @HttpCode(201)
  @ApiBody({ type: RegisterAgentDto })
  @ApiCreatedResponse({ type: RegisterAgentResponseDto })
  @ApiOperation({ summary: 'Agent registration with a one-shot installer token' })
  async register(@Body() body: unknown): Promise<RegisterResponse> {
    const parsed = parseRegisterRequest(body);
    if (!parsed.ok) throw new DomainError(ErrorCode.ValidationFailed, parsed.error);
    if (!isCompatibleProtocolVersion(parsed.value.protocolVersion)) {
      throw new DomainError(
        ErrorCode.ProtocolMismatch,
        `This support tool speaks protocol ${parsed.value.protocolVersion}; the portal speaks ${PROTOCOL_VERSION}. Download the support tool again.`,
      );
    }
    return this.registration.register(parsed.value);
  }
}
