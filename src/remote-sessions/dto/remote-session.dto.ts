import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import {
  END_REASONS,
  EndReason,
  REMOTE_PROTOCOLS,
  REMOTE_SESSION_TYPES,
  RemoteProtocol,
  RemoteSessionStatus,
  RemoteSessionType,
} from '../entities/remote-session.entity';

const trimOrNull = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const t = value.trim();
  return t === '' ? undefined : t;
};

export class CreateRemoteSessionDto {
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

  @ApiProperty({ required: false, maxLength: 200 })
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(200)
  reason?: string;

  @ApiProperty({ description: 'Stored on the session; capture itself is not available yet' })
  @IsBoolean()
  recordingEnabled!: boolean;
}

export class ListRemoteSessionsQuery {
  @ApiProperty({ required: false, enum: ['active', 'recent'], default: 'active' })
  @IsOptional()
  @IsIn(['active', 'recent'])
  filter?: 'active' | 'recent';
}

export class RelayChannelTokenDto {
  @ApiProperty({ example: 'screen' }) channel!: string;
  @ApiProperty({ description: 'Tech-side relay token; send it in Sec-WebSocket-Protocol as bearer.<token>' })
  token!: string;
}

export class RelayAccessDto {
  @ApiProperty({ description: 'WebSocket URL of the relay (…/ws)' }) url!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ type: [RelayChannelTokenDto] }) tokens!: RelayChannelTokenDto[];
}

export class RemoteSessionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) deviceId!: string;
  @ApiProperty() deviceName!: string;
  @ApiProperty({ enum: ['windows', 'macos', 'linux'] }) deviceOs!: string;
  @ApiProperty({ enum: ['quick', 'persistent'] }) kind!: 'quick' | 'persistent';
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) technicianId!: string | null;
  @ApiProperty({ nullable: true, type: String }) technician!: string | null;
  @ApiProperty({ enum: REMOTE_SESSION_TYPES }) type!: RemoteSessionType;
  @ApiProperty({ enum: REMOTE_PROTOCOLS }) protocol!: RemoteProtocol;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty() recordingEnabled!: boolean;
  @ApiProperty({ enum: ['pending', 'active', 'ended'] }) status!: RemoteSessionStatus;
  @ApiProperty({ type: [String] }) channels!: string[];
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'First time the viewer and the agent met on the relay',
  })
  connectedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) endedAt!: string | null;
  @ApiProperty({ enum: END_REASONS, nullable: true }) endReason!: EndReason | null;
  @ApiProperty({ description: 'Seconds from start to end (or to now while running)' }) durationSec!: number;
}

export class RemoteSessionListDto {
  @ApiProperty({ type: [RemoteSessionDto] }) items!: RemoteSessionDto[];
}

export class StartedRemoteSessionDto {
  @ApiProperty({ type: RemoteSessionDto }) session!: RemoteSessionDto;
  @ApiProperty({ type: RelayAccessDto }) relay!: RelayAccessDto;
}
