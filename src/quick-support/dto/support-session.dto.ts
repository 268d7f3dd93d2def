import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, Max } from 'class-validator';
import { DEVICE_OSES, type DeviceOs } from '../../../contracts/api/devices';
import {
  SUPPORT_SESSION_END_REASONS,
  SUPPORT_SESSION_LIMITS,
  SUPPORT_SESSION_LIST_LIMITS,
  SUPPORT_SESSION_STATUS_FILTERS,
  SUPPORT_SESSION_STATUSES,
  type CreateSupportSessionRequest,
  type ListSupportSessionsQuery,
  type QuickSupportKpisView,
  type SessionDeviceView,
  type SupportNoteView,
  type SupportSessionEndReason,
  type SupportSessionListView,
  type SupportSessionStatus,
  type SupportSessionStatusFilter,
  type SupportSessionView,
  type UserRefView,
} from '../../../contracts/api/quick-support';
import { IsDisplayText } from '../../common/validation';

const { customerNameMax, noteMax } = SUPPORT_SESSION_LIMITS;

/** Trims strings; an empty result becomes undefined so optional fields can be sent blank. */
const trimToUndefined = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const t = value.trim();
  return t === '' ? undefined : t;
};
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;
/** Free text: no control characters (but tab, CR and LF), line/paragraph separators or bidi overrides. */
const MULTI_LINE =
  /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$/;

export class CreateSupportSessionDto implements CreateSupportSessionRequest {
  @ApiProperty({ required: false, maxLength: customerNameMax, description: 'Shown to technicians only' })
  @IsOptional()
  @Transform(trimToUndefined)
  @IsString()
  @MaxLength(customerNameMax)
  @IsDisplayText()
  customerName?: string;

  @ApiProperty({
    required: false,
    maxLength: noteMax,
    description: 'The technician’s own note; never shown to the customer',
  })
  @IsOptional()
  @Transform(trimToUndefined)
  @IsString()
  @MaxLength(noteMax)
  @Matches(MULTI_LINE, { message: 'note must not contain control characters' })
  note?: string;
}

export class ListSupportSessionsQueryDto implements ListSupportSessionsQuery {
  @ApiProperty({
    required: false,
    enum: SUPPORT_SESSION_STATUS_FILTERS,
    description: '`open` = waiting or active',
  })
  @IsOptional()
  @IsIn(SUPPORT_SESSION_STATUS_FILTERS)
  status?: SupportSessionStatusFilter;

  @ApiProperty({ required: false, minimum: 1, maximum: SUPPORT_SESSION_LIST_LIMITS.limitMax, default: 25 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(SUPPORT_SESSION_LIST_LIMITS.limitMax)
  limit?: number;

  @ApiProperty({ required: false, minimum: 0, default: 0 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(SUPPORT_SESSION_LIST_LIMITS.offsetMax)
  offset?: number;
}

export class AssignSupportSessionDto {
  @ApiProperty({
    required: false,
    format: 'uuid',
    description: 'The technician to assign; leave out to assign yourself',
  })
  @IsOptional()
  @IsUUID('all', { message: 'userId must be a UUID' })
  userId?: string;
}

/** The customer's note form (connect page); the form field and the JSON field are both `note`. */
export class CustomerNoteDto {
  @ApiProperty({ minLength: 1, maxLength: 1000 })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'note must be text' })
  @MaxLength(1000, { message: 'note must be at most 1000 characters' })
  @Matches(/^[\s\S]+$/, { message: 'note must not be empty' })
  @Matches(MULTI_LINE, { message: 'note must not contain control characters' })
  note!: string;
}

export class UserRefDto implements UserRefView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() displayName!: string;
}

export class SessionDeviceDto implements SessionDeviceView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Reported by the agent (untrusted)' }) hostname!: string;
  @ApiProperty({ enum: DEVICE_OSES }) os!: DeviceOs;
  @ApiProperty({ description: 'Reported by the agent (untrusted)' }) osVersion!: string;
  @ApiProperty() arch!: string;
  @ApiProperty() online!: boolean;
}

export class SupportNoteDto implements SupportNoteView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Written by the customer (untrusted)' }) body!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class SupportSessionDto implements SupportSessionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: SUPPORT_SESSION_STATUSES }) status!: SupportSessionStatus;
  @ApiProperty({ nullable: true, type: String }) customerName!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The owner’s private note; null for other technicians',
  })
  note!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'The customer link `<PORTAL_ORIGIN>/support/connect/<token>`; null once ended (or after SESSION_SECRET changed), and for technicians other than the owner',
  })
  url!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) activatedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) endedAt!: string | null;
  @ApiProperty({
    enum: SUPPORT_SESSION_END_REASONS,
    nullable: true,
    type: String,
  })
  endReason!: SupportSessionEndReason | null;
  @ApiProperty({ type: UserRefDto, nullable: true }) createdBy!: UserRefDto | null;
  @ApiProperty({ type: UserRefDto, nullable: true }) assignedTo!: UserRefDto | null;
  @ApiProperty({ type: SessionDeviceDto, nullable: true }) device!: SessionDeviceDto | null;
  @ApiProperty({
    type: [SupportNoteDto],
    description: 'Customer notes, oldest first; empty for technicians other than the owner',
  })
  notes!: SupportNoteDto[];
  @ApiProperty({
    description:
      'You own this session (its assignee, else its creator) or are an administrator: you see its link and notes and may end, reassign and connect',
  })
  canManage!: boolean;
}

export class SupportSessionListDto implements SupportSessionListView {
  @ApiProperty({ type: [SupportSessionDto] }) items!: SupportSessionDto[];
  @ApiProperty() total!: number;
}

export class QuickSupportKpisDto implements QuickSupportKpisView {
  @ApiProperty() waiting!: number;
  @ApiProperty() active!: number;
  @ApiProperty({ description: 'All ended sessions still kept (see RETENTION_DAYS)' }) ended!: number;
  @ApiProperty() endedLast24h!: number;
}
