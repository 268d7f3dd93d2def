import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import {
  AUDIT_ACTION_PATTERN,
  AUDIT_ACTOR_TYPES,
  AUDIT_LIMITS,
  type AuditActorType,
  type AuditActorView,
  type AuditEventPageView,
  type AuditEventView,
  type AuditTargetView,
  type ExportAuditEventsQuery,
  type ListAuditEventsQuery,
  type RemoteSessionTimelineView,
} from '../../../contracts/api/audit';

/** A date (`2026-12-03`, midnight UTC) or a date-time with its offset (`2026-12-03T09:30:00Z`). */
export const AUDIT_TIME_PATTERN =
  /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;
/** The opaque cursor: the id of the last line of the previous page. */
export const AUDIT_CURSOR_PATTERN = /^[1-9][0-9]{0,17}$/;

const TIME_DOC = 'A date (2026-12-03, midnight UTC) or an ISO-8601 date-time with its offset';
const ACTION_DOC = 'An exact action (remote_session.ended) or a prefix ending in "." (remote_session.)';

export class ExportAuditEventsQueryDto implements ExportAuditEventsQuery {
  @ApiProperty({ required: false, format: 'uuid', description: 'The user who acted' })
  @IsOptional()
  @IsUUID('all', { message: 'actor must be a UUID' })
  actor?: string;

  @ApiProperty({ required: false, format: 'uuid', description: 'Lines about this device or its sessions' })
  @IsOptional()
  @IsUUID('all', { message: 'deviceId must be a UUID' })
  deviceId?: string;

  @ApiProperty({ required: false, format: 'uuid', description: 'Lines about this remote session' })
  @IsOptional()
  @IsUUID('all', { message: 'sessionId must be a UUID' })
  sessionId?: string;

  @ApiProperty({ required: false, maxLength: AUDIT_LIMITS.actionMax, description: ACTION_DOC })
  @IsOptional()
  @IsString()
  @MaxLength(AUDIT_LIMITS.actionMax)
  @Matches(AUDIT_ACTION_PATTERN, { message: `action must be an action name or a prefix ending in "."` })
  action?: string;

  @ApiProperty({ required: false, description: `${TIME_DOC}; inclusive` })
  @IsOptional()
  @IsString()
  @Matches(AUDIT_TIME_PATTERN, { message: `from must be ${TIME_DOC.toLowerCase()}` })
  from?: string;

  @ApiProperty({ required: false, description: `${TIME_DOC}; exclusive` })
  @IsOptional()
  @IsString()
  @Matches(AUDIT_TIME_PATTERN, { message: `to must be ${TIME_DOC.toLowerCase()}` })
  to?: string;
}

/** The export's filters, plus paging. */
export class ListAuditEventsQueryDto extends ExportAuditEventsQueryDto implements ListAuditEventsQuery {
  @ApiProperty({ required: false, description: 'The nextCursor of the previous page (opaque)' })
  @IsOptional()
  @IsString()
  @Matches(AUDIT_CURSOR_PATTERN, { message: 'before must be a nextCursor this list gave out' })
  before?: string;

  @ApiProperty({
    required: false,
    minimum: 1,
    maximum: AUDIT_LIMITS.pageMax,
    default: AUDIT_LIMITS.pageDefault,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: `limit must be a whole number from 1 to ${AUDIT_LIMITS.pageMax}` })
  @Min(1, { message: `limit must be a whole number from 1 to ${AUDIT_LIMITS.pageMax}` })
  @Max(AUDIT_LIMITS.pageMax, { message: `limit must be a whole number from 1 to ${AUDIT_LIMITS.pageMax}` })
  limit?: number;
}

export class AuditActorDto implements AuditActorView {
  @ApiProperty({ enum: AUDIT_ACTOR_TYPES }) type!: AuditActorType;
  @ApiProperty({ nullable: true, type: String, description: 'A user’s or a device’s id' }) id!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'A user’s display name' })
  displayName!: string | null;
}

export class AuditTargetDto implements AuditTargetView {
  @ApiProperty({ example: 'remote_session' }) type!: string;
  @ApiProperty({ nullable: true, type: String }) id!: string | null;
}

export class AuditEventDto implements AuditEventView {
  @ApiProperty({ description: 'Increasing with each line written' }) id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: AuditActorDto }) actor!: AuditActorDto;
  @ApiProperty({ example: 'remote_session.started' }) action!: string;
  @ApiProperty({ type: AuditTargetDto, nullable: true }) target!: AuditTargetDto | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) deviceId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Reported by the agent (untrusted)' })
  deviceName!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) sessionId!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'As written (untrusted: render as text only)',
  })
  details!: Record<string, unknown>;
}

export class AuditEventPageDto implements AuditEventPageView {
  @ApiProperty({ type: [AuditEventDto] }) items!: AuditEventDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as before for the next (older) page' })
  nextCursor!: string | null;
}

export class RemoteSessionTimelineDto implements RemoteSessionTimelineView {
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({ type: [AuditEventDto], description: 'Oldest first' }) items!: AuditEventDto[];
  @ApiProperty({ description: `More than ${AUDIT_LIMITS.timelineMax} lines: see the audit page` })
  truncated!: boolean;
}
