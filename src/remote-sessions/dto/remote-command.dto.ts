import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import {
  COMMAND_LIMITS,
  type CommandStartedView,
  type RunCommandRequest,
} from '../../../contracts/api/remote-sessions';

/** The longest command line accepted (and kept whole in its audit row). */
export const COMMAND_MAX_LENGTH = COMMAND_LIMITS.commandMax;

export class RunCommandDto implements RunCommandRequest {
  @ApiProperty({
    maxLength: COMMAND_MAX_LENGTH,
    description: 'A command line for the platform shell (sh on Linux/macOS, PowerShell on Windows)',
  })
  @IsString()
  @Length(1, COMMAND_MAX_LENGTH)
  command!: string;

  @ApiProperty({
    required: false,
    minimum: COMMAND_LIMITS.timeoutMinSec,
    maximum: COMMAND_LIMITS.timeoutMaxSec,
    description: 'Seconds before the command is stopped (default 300)',
  })
  @IsOptional()
  @IsInt()
  @Min(COMMAND_LIMITS.timeoutMinSec)
  @Max(COMMAND_LIMITS.timeoutMaxSec)
  timeoutSec?: number;
}

export class CommandStartedDto implements CommandStartedView {
  @ApiProperty() commandId!: string;
}
