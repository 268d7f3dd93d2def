import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class RunCommandDto {
  @ApiProperty({
    maxLength: 4000,
    description: 'A command line for the platform shell (sh on Linux/macOS, PowerShell on Windows)',
  })
  @IsString()
  @Length(1, 4000)
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
