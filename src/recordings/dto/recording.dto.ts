import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import {
  RECORDED_CHANNELS,
  RECORDING_BREAKS,
  RECORDING_INTEGRITY,
  RECORDING_LIMITS,
  RECORDING_POLICIES,
  RECORDING_STATUSES,
  type ListRecordingsQuery,
  type RecordedChannel,
  type RecordingBreakReason,
  type RecordingChunkView,
  type RecordingFailure,
  type RecordingIncompleteReason,
  type RecordingIntegrityState,
  type RecordingListView,
  type RecordingMode,
  type RecordingPlaybackView,
  type RecordingPolicy,
  type RecordingSettingsView,
  type RecordingStatus,
  type RecordingView,
  type SetLegalHoldRequest,
} from '../../../contracts/api/recordings';
import { RECORDING_INCOMPLETE_REASONS, RECORDING_MODES } from '../../../contracts/recording/format';
import { RECORDING_FAILURES } from '../../../contracts/relay-events';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d{1,9}$/.test(value) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export class RecordingDto implements RecordingView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({ enum: RECORDED_CHANNELS }) channel!: RecordedChannel;
  @ApiProperty({ enum: RECORDING_MODES }) mode!: RecordingMode;
  @ApiProperty({ enum: RECORDING_STATUSES }) status!: RecordingStatus;
  @ApiProperty({ enum: RECORDING_INCOMPLETE_REASONS, nullable: true, type: String })
  incompleteReason!: RecordingIncompleteReason | null;
  @ApiProperty({ enum: RECORDING_FAILURES, nullable: true, type: String }) failure!: RecordingFailure | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) technicianId!: string | null;
  @ApiProperty({ nullable: true, type: String }) technician!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) deviceId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Reported by the agent (untrusted text)' })
  deviceName!: string | null;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) endedAt!: string | null;
  @ApiProperty() durationSec!: number;
  @ApiProperty() bytes!: number;
  @ApiProperty() chunks!: number;
  @ApiProperty({ enum: RECORDING_INTEGRITY }) integrity!: RecordingIntegrityState;
  @ApiProperty({ nullable: true, type: Number }) brokenAt!: number | null;
  @ApiProperty({ enum: RECORDING_BREAKS, nullable: true, type: String })
  brokenReason!: RecordingBreakReason | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) integrityCheckedAt!: string | null;
  @ApiProperty() legalHold!: boolean;
  @ApiProperty({ nullable: true, type: String }) legalHoldNote!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expiresAt!: string | null;
}

export class RecordingListDto implements RecordingListView {
  @ApiProperty({ type: [RecordingDto] }) items!: RecordingDto[];
  @ApiProperty({ description: `At most ${RECORDING_LIMITS.countMax}` }) total!: number;
  @ApiProperty({ description: 'There are more than `total`' }) totalCapped!: boolean;
}

export class RecordingChunkDto implements RecordingChunkView {
  @ApiProperty() index!: number;
  @ApiProperty() startMs!: number;
  @ApiProperty() endMs!: number;
  @ApiProperty() bytes!: number;
}

export class RecordingPlaybackDto implements RecordingPlaybackView {
  @ApiProperty({ type: RecordingDto }) recording!: RecordingDto;
  @ApiProperty({ type: [RecordingChunkDto] }) chunks!: RecordingChunkDto[];
  @ApiProperty({ description: 'Chunks that may be played: all, or those before recording.brokenAt' })
  playableChunks!: number;
  @ApiProperty() revealKeys!: boolean;
}

export class RecordingSettingsDto implements RecordingSettingsView {
  @ApiProperty({ enum: RECORDING_POLICIES }) policy!: RecordingPolicy;
  @ApiProperty() strict!: boolean;
  @ApiProperty() retentionDays!: number;
  @ApiProperty({ nullable: true, type: Number }) maxTotalGb!: number | null;
  @ApiProperty() revealKeys!: boolean;
  @ApiProperty({ enum: ['fs', 's3'] }) store!: 'fs' | 's3';
}

export class SetLegalHoldDto implements SetLegalHoldRequest {
  @ApiProperty() @IsBoolean({ message: 'hold must be true or false' }) hold!: boolean;

  @ApiProperty({ required: false, maxLength: RECORDING_LIMITS.legalHoldNoteMax })
  @IsOptional()
  @IsString({ message: 'note must be text' })
  @MaxLength(RECORDING_LIMITS.legalHoldNoteMax, {
    message: `note must be at most ${RECORDING_LIMITS.legalHoldNoteMax} characters`,
  })
  note?: string;
}

const limitMessage = `limit must be a whole number from 1 to ${RECORDING_LIMITS.pageMax}`;
const offsetMessage = `offset must be a whole number from 0 to ${RECORDING_LIMITS.offsetMax}`;

export class ListRecordingsQueryDto implements ListRecordingsQuery {
  @ApiProperty({ required: false, format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'sessionId must be a UUID' })
  sessionId?: string;

  @ApiProperty({ required: false, format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'technicianId must be a UUID' })
  technicianId?: string;

  @ApiProperty({ required: false, format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'deviceId must be a UUID' })
  deviceId?: string;

  @ApiProperty({ required: false, enum: RECORDED_CHANNELS })
  @IsOptional()
  @IsIn(RECORDED_CHANNELS, { message: `channel must be one of ${RECORDED_CHANNELS.join(', ')}` })
  channel?: RecordedChannel;

  @ApiProperty({ required: false, enum: RECORDING_STATUSES })
  @IsOptional()
  @IsIn(RECORDING_STATUSES, { message: `status must be one of ${RECORDING_STATUSES.join(', ')}` })
  status?: RecordingStatus;

  @ApiProperty({ required: false, enum: RECORDING_INTEGRITY })
  @IsOptional()
  @IsIn(RECORDING_INTEGRITY, { message: `integrity must be one of ${RECORDING_INTEGRITY.join(', ')}` })
  integrity?: RecordingIntegrityState;

  @ApiProperty({ required: false, type: Boolean })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'legalHold must be true or false' })
  legalHold?: boolean;

  @ApiProperty({ required: false, format: 'date-time', description: 'Started at or after' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 date' })
  @MaxLength(40)
  from?: string;

  @ApiProperty({ required: false, format: 'date-time', description: 'Started before' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 date' })
  @MaxLength(40)
  to?: string;

  @ApiProperty({ required: false, minimum: 1, maximum: RECORDING_LIMITS.pageMax, default: 50 })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: limitMessage })
  @Min(1, { message: limitMessage })
  @Max(RECORDING_LIMITS.pageMax, { message: limitMessage })
  limit?: number;

  @ApiProperty({ required: false, minimum: 0, maximum: RECORDING_LIMITS.offsetMax, default: 0 })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: offsetMessage })
  @Min(0, { message: offsetMessage })
  @Max(RECORDING_LIMITS.offsetMax, { message: offsetMessage })
  offset?: number;
}
