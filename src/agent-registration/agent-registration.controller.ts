import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { parseRegisterRequest, RegisterResponse } from '../../contracts/agent-protocol/registration';
import { isCompatibleProtocolVersion } from '../../contracts/agent-protocol/version';
import { Public, SkipCsrf } from '../common/decorators';
import { ErrorCode } from '../common/domain-error';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator';
import { agentRegistrationErrors as errors } from './agent-registration.errors';
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
  @ApiOperation({
    summary: 'Agent registration with a one-shot installer token',
    description:
      'No login and no CSRF check: the one-shot installer token in the body is the credential (docs/protocol.md § 1).',
  })
  @ApiErrors(
    [ErrorCode.ValidationFailed, 'a field is missing or out of its bounds'],
    [ErrorCode.ProtocolMismatch, 'the agent speaks an incompatible protocol version'],
    [ErrorCode.InstallerTokenUsed, 'the installer token was already redeemed'],
    [ErrorCode.InstallerOsMismatch, 'the installer token was made for another OS'],
    [ErrorCode.SessionNotWaiting, 'the support session already has a device'],
    [ErrorCode.InstallerTokenInvalid, 'the token is unknown or expired, or its support session ended'],
  )
  async register(@Body() body: unknown): Promise<RegisterResponse> {
    const parsed = parseRegisterRequest(body);
    if (!parsed.ok) throw errors.invalidRequest(parsed.error);
    if (!isCompatibleProtocolVersion(parsed.value.protocolVersion)) {
      throw errors.protocolMismatch(parsed.value.protocolVersion);
    }
    return this.registration.register(parsed.value);
  }
}
