import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

/** The longest command line accepted (and kept whole in its audit row). */
export const COMMAND_MAX_LENGTH = 4000;

export class RunCommandDto {
  @ApiProperty({
    maxLength: COMMAND_MAX_LENGTH,
    description: 'A command line for the platform shell (sh on Linux/macOS, PowerShell on Windows)',
  })
  @IsString()
  @Length(1, COMMAND_MAX_LENGTH)
  command!: string;

  @ApiProperty({
    required: false,
    minimum: 1,
    maximum: 3600,
    description: 'Seconds before the command is stopped (default 300)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3600)
  timeoutSec?: number;
}

export class CommandStartedDto {
  @ApiProperty() commandId!: string;
}
