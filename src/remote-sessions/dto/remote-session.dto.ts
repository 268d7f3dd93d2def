import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { SCREEN_MONITORS_MAX } from '../../../contracts/agent-protocol/limits';
import { DEVICE_KINDS, DEVICE_OSES, type DeviceKind, type DeviceOs } from '../../../contracts/api/devices';
import {
  CONSENT_POLICIES,
  SCREEN_MODES,
  type ConsentPolicy,
  type ScreenMode,
} from '../../../contracts/agent-protocol/enums';
import {
  CHANNEL_STATES,
  REMOTE_PROTOCOLS,
  REMOTE_SESSION_END_REASONS,
  REMOTE_SESSION_FILTERS,
  REMOTE_SESSION_HISTORY_LIMITS,
  REMOTE_SESSION_LIMITS,
  REMOTE_SESSION_STATUSES,
  REMOTE_SESSION_TYPES,
  type ChannelState,
  type ListRemoteSessionsQuery,
  type RelayAccessView,
  type RelayChannelTokenView,
  type RemoteChannelStateView,
  type RemoteProtocol,
  type RemoteSessionEndReason,
  type RemoteSessionFilter,
  type RemoteSessionHistoryPageQuery,
  type RemoteSessionHistoryQuery,
  type RemoteSessionHistoryView,
  type RemoteSessionListView,
  type RemoteSessionStatus,
  type RemoteSessionType,
  type RemoteSessionView,
  type ScreenMonitorView,
  type SelectMonitorRequest,
  type StartedRemoteSessionView,
  type StartRemoteSessionRequest,
} from '../../../contracts/api/remote-sessions';

const trimOrNull = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const t = value.trim();
  return t === '' ? undefined : t;
};

export class CreateRemoteSessionDto implements StartRemoteSessionRequest {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'deviceId must be a UUID' })
  deviceId!: string;

  @ApiProperty({ enum: REMOTE_SESSION_TYPES })
  @IsIn(REMOTE_SESSION_TYPES)
  type!: RemoteSessionType;

  @ApiProperty({
    enum: REMOTE_PROTOCOLS,
    description: 'web → screen + shell, vnc → screen, ssh → shell; rdp is not available yet',
  })
  @IsIn(REMOTE_PROTOCOLS)
  protocol!: RemoteProtocol;

  @ApiProperty({ required: false, maxLength: REMOTE_SESSION_LIMITS.reasonMax })
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(REMOTE_SESSION_LIMITS.reasonMax)
  reason?: string;

  @ApiProperty({
    description:
      'Record the session (RECORDING_POLICY optional). Under `required` every session is recorded whatever this says; under `off`, true is refused with 400 `recording_off`.',
  })
  @IsBoolean()
  recordingEnabled!: boolean;
}

export class ListRemoteSessionsQueryDto implements ListRemoteSessionsQuery {
  @ApiProperty({ required: false, enum: REMOTE_SESSION_FILTERS, default: 'active' })
  @IsOptional()
  @IsIn(REMOTE_SESSION_FILTERS)
  filter?: RemoteSessionFilter;
}

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d{1,9}$/.test(value) ? Number(value) : value;

/** The history's filters (the export takes exactly these). */
export class RemoteSessionHistoryQueryDto implements RemoteSessionHistoryQuery {
  @ApiProperty({
    required: false,
    maxLength: REMOTE_SESSION_HISTORY_LIMITS.searchMax,
    description:
      'Part of the customer name, device name, technician, reason or end reason (case-insensitive)',
  })
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(REMOTE_SESSION_HISTORY_LIMITS.searchMax, {
    message: `q must be at most ${REMOTE_SESSION_HISTORY_LIMITS.searchMax} characters`,
  })
  q?: string;

  @ApiProperty({ required: false, enum: REMOTE_SESSION_END_REASONS })
  @IsOptional()
  @IsIn(REMOTE_SESSION_END_REASONS, {
    message: `endReason must be one of ${REMOTE_SESSION_END_REASONS.join(', ')}`,
  })
  endReason?: RemoteSessionEndReason;
}

/** The history's filters, plus paging. */
export class RemoteSessionHistoryPageQueryDto
  extends RemoteSessionHistoryQueryDto
  implements RemoteSessionHistoryPageQuery
{
  @ApiProperty({ required: false, minimum: 1, maximum: REMOTE_SESSION_HISTORY_LIMITS.limitMax, default: 25 })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: `limit must be a whole number from 1 to ${REMOTE_SESSION_HISTORY_LIMITS.limitMax}` })
  @Min(1, { message: `limit must be a whole number from 1 to ${REMOTE_SESSION_HISTORY_LIMITS.limitMax}` })
  @Max(REMOTE_SESSION_HISTORY_LIMITS.limitMax, {
    message: `limit must be a whole number from 1 to ${REMOTE_SESSION_HISTORY_LIMITS.limitMax}`,
  })
  limit?: number;

  @ApiProperty({ required: false, minimum: 0, maximum: REMOTE_SESSION_HISTORY_LIMITS.offsetMax, default: 0 })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: `offset must be a whole number from 0 to ${REMOTE_SESSION_HISTORY_LIMITS.offsetMax}` })
  @Min(0, { message: `offset must be a whole number from 0 to ${REMOTE_SESSION_HISTORY_LIMITS.offsetMax}` })
  @Max(REMOTE_SESSION_HISTORY_LIMITS.offsetMax, {
    message: `offset must be a whole number from 0 to ${REMOTE_SESSION_HISTORY_LIMITS.offsetMax}; narrow the search instead`,
  })
  offset?: number;
}

export class RelayChannelTokenDto implements RelayChannelTokenView {
  @ApiProperty({ example: 'screen' }) channel!: string;
  @ApiProperty({ description: 'Tech-side relay token; send it in Sec-WebSocket-Protocol as bearer.<token>' })
  token!: string;
}

export class RelayAccessDto implements RelayAccessView {
  @ApiProperty({ description: 'WebSocket URL of the relay (…/ws)' }) url!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ type: [RelayChannelTokenDto] }) tokens!: RelayChannelTokenDto[];
  @ApiProperty({
    description:
      'Seconds the shell tab waits for the shell’s first output before it offers a plain shell (no login profile)',
    example: 10,
  })
  shellStartPatienceSec!: number;
}

export class ScreenMonitorDto implements ScreenMonitorView {
  @ApiProperty({ description: 'Left edge, in desktop pixels' }) x!: number;
  @ApiProperty({ description: 'Top edge, in desktop pixels' }) y!: number;
  @ApiProperty() width!: number;
  @ApiProperty() height!: number;
}

export class SelectMonitorDto implements SelectMonitorRequest {
  @ApiProperty({
    minimum: 0,
    maximum: SCREEN_MONITORS_MAX - 1,
    nullable: true,
    type: Number,
    description: 'An index into the screen channel’s `monitors`; null: the whole desktop',
  })
  @ValidateIf((_o, value) => value !== null)
  @IsInt()
  @Min(0)
  @Max(SCREEN_MONITORS_MAX - 1)
  monitor!: number | null;
}

export class RemoteChannelStateDto implements RemoteChannelStateView {
  @ApiProperty({ example: 'screen' }) channel!: string;
  @ApiProperty({ enum: CHANNEL_STATES }) state!: ChannelState;
  @ApiProperty({ enum: SCREEN_MODES, nullable: true, description: 'The screen’s mode while open' })
  mode!: ScreenMode | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'asking: when no answer counts as a no',
  })
  deadline!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why it was refused or failed (untrusted text)' })
  message!: string | null;
  @ApiProperty({
    enum: CONSENT_POLICIES,
    nullable: true,
    description: 'The consent policy the device applied',
  })
  policy!: ConsentPolicy | null;
  @ApiProperty({ description: 'How many times the person at the device was asked for this channel' })
  asks!: number;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Asking again is refused before this time',
  })
  askAgainAt!: string | null;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({
    type: [ScreenMonitorDto],
    nullable: true,
    description: 'Screen: the device’s monitors when it can show one alone (agents at protocol 1.3)',
  })
  monitors!: ScreenMonitorDto[] | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Screen: the monitor shown (an index into monitors); null: the whole desktop',
  })
  monitor!: number | null;
}

export class RemoteSessionDto implements RemoteSessionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) deviceId!: string;
  @ApiProperty() deviceName!: string;
  @ApiProperty({ enum: DEVICE_OSES }) deviceOs!: DeviceOs;
  @ApiProperty({ enum: DEVICE_KINDS }) kind!: DeviceKind;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'A quick-support device: its session’s customer name; null for a persistent device',
  })
  customerName!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) technicianId!: string | null;
  @ApiProperty({ nullable: true, type: String }) technician!: string | null;
  @ApiProperty({ enum: REMOTE_SESSION_TYPES }) type!: RemoteSessionType;
  @ApiProperty({ enum: REMOTE_PROTOCOLS }) protocol!: RemoteProtocol;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty() recordingEnabled!: boolean;
  @ApiProperty({ enum: REMOTE_SESSION_STATUSES }) status!: RemoteSessionStatus;
  @ApiProperty({ type: [String] }) channels!: string[];
  @ApiProperty({ type: [RemoteChannelStateDto] }) channelStates!: RemoteChannelStateDto[];
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'First time the viewer and the agent met on the relay',
  })
  connectedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) endedAt!: string | null;
  @ApiProperty({ enum: REMOTE_SESSION_END_REASONS, nullable: true })
  endReason!: RemoteSessionEndReason | null;
  @ApiProperty({ description: 'Seconds from start to end (or to now while running)' }) durationSec!: number;
}

export class RemoteSessionListDto implements RemoteSessionListView {
  @ApiProperty({ type: [RemoteSessionDto] }) items!: RemoteSessionDto[];
}

export class RemoteSessionHistoryDto implements RemoteSessionHistoryView {
  @ApiProperty({ type: [RemoteSessionDto] }) items!: RemoteSessionDto[];
  @ApiProperty({ description: 'Matching sessions, counted up to 10 000' }) total!: number;
  @ApiProperty({ description: 'More sessions match than total says' }) totalCapped!: boolean;
}

export class StartedRemoteSessionDto implements StartedRemoteSessionView {
  @ApiProperty({ type: RemoteSessionDto }) session!: RemoteSessionDto;
  @ApiProperty({ type: RelayAccessDto }) relay!: RelayAccessDto;
}
