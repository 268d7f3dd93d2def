import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import {
  CONSENT_POLICIES,
  type ConsentPolicy,
  DEVICE_KINDS,
  DEVICE_LIST_LIMITS,
  DEVICE_OSES,
  type DeviceKind,
  type DeviceListView,
  type DeviceOs,
  type DeviceSupportSessionView,
  type DeviceView,
  type ListDevicesQuery,
  type SetConsentPolicyRequest,
} from '../../../contracts/api/devices';
import type { Device } from '../entities/device.entity';

/** A quick-support device's session, in short. */
export class DeviceSupportSessionDto implements DeviceSupportSessionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Typed by the technician who created it' })
  customerName!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

/** A device as technicians see it. Strings came from the agent: render them as text only. */
export class DeviceDto implements DeviceView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: DEVICE_KINDS }) kind!: DeviceKind;
  @ApiProperty({ description: 'Reported by the agent (untrusted, ≤ 255 characters)' }) hostname!: string;
  @ApiProperty({ enum: DEVICE_OSES }) os!: DeviceOs;
  @ApiProperty({ description: 'Reported by the agent (untrusted, ≤ 100 characters)' }) osVersion!: string;
  @ApiProperty() arch!: string;
  @ApiProperty() agentVersion!: string;
  @ApiProperty({ description: 'The agent’s control channel is connected' }) online!: boolean;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastSeenAt!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) supportSessionId!: string | null;
  @ApiProperty({
    type: DeviceSupportSessionDto,
    nullable: true,
    description:
      'A quick-support device’s session (customer name, created), so devices with the same host name can be told apart; null for a persistent device',
  })
  supportSession!: DeviceSupportSessionDto | null;
  @ApiProperty({
    nullable: true,
    type: Boolean,
    description:
      'The device-local kill switch as the connected agent reports it (true: remote control is refused); null while the agent is not connected',
  })
  killSwitch!: boolean | null;
  @ApiProperty({
    enum: CONSENT_POLICIES,
    description:
      'Whether the person at the device is asked before a channel opens (set by an admin; always `ask` for a quick-support device). `notify` and `silent` take effect only when the device’s agent.json allows them too.',
  })
  consentPolicy!: ConsentPolicy;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  /** `killSwitch` comes from the live control channel (DevicePresence), not from the row. */
  static from(
    d: Device,
    killSwitch: boolean | null = null,
    supportSession: DeviceSupportSessionView | null = null,
  ): DeviceDto {
    return {
      id: d.id,
      kind: d.kind,
      hostname: d.hostname,
      os: d.os,
      osVersion: d.osVersion,
      arch: d.arch,
      agentVersion: d.agentVersion,
      online: d.online && d.revokedAt === null,
      lastSeenAt: d.lastSeenAt ? d.lastSeenAt.toISOString() : null,
      supportSessionId: d.supportSessionId,
      supportSession:
        d.supportSessionId !== null && supportSession?.id === d.supportSessionId ? supportSession : null,
      killSwitch: d.online && d.revokedAt === null ? killSwitch : null,
      consentPolicy: d.consentPolicy,
      createdAt: d.createdAt.toISOString(),
    };
  }
}

export class DeviceListDto implements DeviceListView {
  @ApiProperty({ type: [DeviceDto] }) items!: DeviceDto[];
}

const toBool = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ListDevicesQueryDto implements ListDevicesQuery {
  @ApiProperty({ required: false, description: 'Only devices whose agent is (or is not) connected' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  online?: boolean;

  @ApiProperty({ required: false, enum: DEVICE_KINDS })
  @IsOptional()
  @IsIn(DEVICE_KINDS)
  kind?: DeviceKind;

  @ApiProperty({ required: false, minimum: 1, maximum: DEVICE_LIST_LIMITS.limitMax, default: 100 })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : value,
  )
  @IsInt()
  @Min(1)
  @Max(DEVICE_LIST_LIMITS.limitMax)
  limit?: number;
}

/** `PATCH /api/devices/:id/consent-policy` (admins; persistent devices only). */
export class SetConsentPolicyDto implements SetConsentPolicyRequest {
  @ApiProperty({
    enum: CONSENT_POLICIES,
    description:
      '`ask`: the person at the device is asked per channel. `notify`: no prompt, the indicator shows. `silent`: unattended servers; only in effect when the device’s agent.json also says `"consent": "silent"`.',
  })
  @IsIn(CONSENT_POLICIES, { message: `policy must be one of: ${CONSENT_POLICIES.join(', ')}` })
  policy!: ConsentPolicy;
}
