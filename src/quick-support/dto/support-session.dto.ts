import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, Max } from 'class-validator';
import type { InstallerOs } from '../../../contracts/installer-template';
import { IsDisplayText } from '../../common/validation';
import type { EndReason, SupportSessionStatus } from '../entities/support-session.entity';

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

export class CreateSupportSessionDto {
  @ApiProperty({ required: false, maxLength: 100, description: 'Shown to technicians only' })
  @IsOptional()
  @Transform(trimToUndefined)
  @IsString()
  @MaxLength(100)
  @IsDisplayText()
  customerName?: string;

  @ApiProperty({
    required: false,
    maxLength: 1000,
    description: 'The technician’s own note; never shown to the customer',
  })
  @IsOptional()
  @Transform(trimToUndefined)
  @IsString()
  @MaxLength(1000)
  @Matches(MULTI_LINE, { message: 'note must not contain control characters' })
  note?: string;
}

export class ListSupportSessionsQueryDto {
  @ApiProperty({
    required: false,
    enum: ['waiting', 'active', 'ended', 'open'],
    description: '`open` = waiting or active',
  })
  @IsOptional()
  @IsIn(['waiting', 'active', 'ended', 'open'])
  status?: SupportSessionStatus | 'open';

  @ApiProperty({ required: false, minimum: 1, maximum: 100, default: 25 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiProperty({ required: false, minimum: 0, default: 0 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
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

export class UserRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() displayName!: string;
}

export class SessionDeviceDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Reported by the agent (untrusted)' }) hostname!: string;
  @ApiProperty({ enum: ['windows', 'macos', 'linux'] }) os!: InstallerOs;
  @ApiProperty({ description: 'Reported by the agent (untrusted)' }) osVersion!: string;
  @ApiProperty() arch!: string;
  @ApiProperty() online!: boolean;
}

export class SupportNoteDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Written by the customer (untrusted)' }) body!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class SupportSessionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['waiting', 'active', 'ended'] }) status!: SupportSessionStatus;
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
    enum: ['ended_by_technician', 'expired', 'agent_left', 'device_removed'],
    nullable: true,
    type: String,
  })
  endReason!: EndReason | null;
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

export class SupportSessionListDto {
  @ApiProperty({ type: [SupportSessionDto] }) items!: SupportSessionDto[];
  @ApiProperty() total!: number;
}

export class QuickSupportKpisDto {
  @ApiProperty() waiting!: number;
  @ApiProperty() active!: number;
  @ApiProperty({ description: 'All ended sessions still kept (see RETENTION_DAYS)' }) ended!: number;
  @ApiProperty() endedLast24h!: number;
}
