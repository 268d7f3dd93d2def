import { ApiProperty } from '@nestjs/swagger';
import { AGENT_OSES, type AgentOs } from '../../../contracts/agent-protocol/enums';
import type { RegisterRequest, RegisterResponse } from '../../../contracts/agent-protocol/registration';

/**
 * OpenAPI description of `POST /api/agent/register`. The body is validated by the shared contract
 * (`parseRegisterRequest` in contracts/agent-protocol/registration.ts), the same code the agent uses.
 */
export class RegisterAgentDto implements RegisterRequest {
  @ApiProperty({ pattern: '^[A-Za-z0-9_-]{22,128}$' }) installerToken!: string;
  @ApiProperty({ maxLength: 255, description: 'One line, no control characters' }) hostname!: string;
  @ApiProperty({ enum: AGENT_OSES }) os!: AgentOs;
  @ApiProperty({ maxLength: 100 }) osVersion!: string;
  @ApiProperty({ pattern: '^[a-z0-9_]{1,16}$', example: 'x64' }) arch!: string;
  @ApiProperty({ pattern: '^[0-9A-Za-z.+-]{1,32}$' }) agentVersion!: string;
  @ApiProperty({ pattern: '^\\d{1,3}\\.\\d{1,3}$', example: '1.0' }) protocolVersion!: string;
}

export class RegisterAgentResponseDto implements RegisterResponse {
  @ApiProperty({ format: 'uuid' }) deviceId!: string;
  @ApiProperty({
    description: 'Shown once; present it as `Authorization: Bearer <deviceId>.<deviceCredential>`',
  })
  deviceCredential!: string;
  @ApiProperty({ example: 'wss://portal.example.com/api/agent/ws' }) controlUrl!: string;
}
