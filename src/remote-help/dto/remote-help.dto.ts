import { ApiProperty } from '@nestjs/swagger';
import { DEVICE_OSES, type DeviceOs } from '../../../contracts/api/devices';
import type {
  RemoteHelpInstallStartedView,
  RemoteHelpStartedView,
  RemoteHelpStatusView,
  RemoteHelpStoppedView,
} from '../../../contracts/api/remote-help';

/** Quick Assist readiness on a device, as its agent just reported it (plus the portal's view of the device). */
export class RemoteHelpStatusDto implements RemoteHelpStatusView {
  @ApiProperty({ format: 'uuid' }) deviceId!: string;
  @ApiProperty({ enum: DEVICE_OSES }) os!: DeviceOs;
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

export class RemoteHelpStartDto implements RemoteHelpStartedView {
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

export class RemoteHelpStopDto implements RemoteHelpStoppedView {
  @ApiProperty({ description: 'True when a running Quick Assist was ended; false when none was running' })
  stopped!: boolean;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) remoteSessionId!: string | null;
}

export class RemoteHelpInstallDto implements RemoteHelpInstallStartedView {
  @ApiProperty({ example: '9P7BP5VNWKX5' }) packageId!: string;
  @ApiProperty({ nullable: true, type: Number }) pid!: number | null;
  @ApiProperty({ description: 'From the agent (untrusted text, ≤ 500 characters)' }) note!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) remoteSessionId!: string | null;
}
