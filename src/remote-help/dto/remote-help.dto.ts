import { ApiProperty } from '@nestjs/swagger';

/** Quick Assist readiness on a device, as its agent just reported it (plus the portal's view of the device). */
export class RemoteHelpStatusDto {
  @ApiProperty({ format: 'uuid' }) deviceId!: string;
  @ApiProperty({ enum: ['windows', 'macos', 'linux'] }) os!: string;
  @ApiProperty({
    description:
      'Quick Assist exists on this OS (Windows only); elsewhere every other field says "not available"',
  })
  supported!: boolean;
  @ApiProperty() installed!: boolean;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Reported by the agent (untrusted, ≤ 32 characters)',
  })
  version!: string | null;
  @ApiProperty({ description: 'The device reaches Quick Assist’s Microsoft service' }) internetOk!: boolean;
  @ApiProperty({ description: 'Someone is logged in on a desktop Quick Assist can open on' })
  interactiveSession!: boolean;
  @ApiProperty({ description: 'The device-local kill switch: start and stop are refused while it is on' })
  killSwitch!: boolean;
  @ApiProperty({ format: 'date-time' }) checkedAt!: string;
}

export class RemoteHelpStartDto {
  @ApiProperty({ description: 'False when Quick Assist was already open on that desktop' })
  launched!: boolean;
  @ApiProperty({ nullable: true, type: Number, description: 'Quick Assist’s process id once it appeared' })
  pid!: number | null;
  @ApiProperty({
    description: 'The human steps that follow, from the agent (untrusted text, ≤ 500 characters)',
  })
  note!: string;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The open remote session this was recorded on',
  })
  remoteSessionId!: string | null;
}

export class RemoteHelpStopDto {
  @ApiProperty({ description: 'True when a running Quick Assist was ended; false when none was running' })
  stopped!: boolean;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) remoteSessionId!: string | null;
}

export class RemoteHelpInstallDto {
  @ApiProperty({ example: '9P7BP5VNWKX5' }) packageId!: string;
  @ApiProperty({ nullable: true, type: Number }) pid!: number | null;
  @ApiProperty({ description: 'From the agent (untrusted text, ≤ 500 characters)' }) note!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) remoteSessionId!: string | null;
}
