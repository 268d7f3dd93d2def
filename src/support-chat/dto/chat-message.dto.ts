import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import {
  CHAT_LIMITS,
  CHAT_ORIGINS,
  CHAT_SENDERS,
  type ChatMessageListView,
  type ChatMessageView,
  type ChatOrigin,
  type ChatSender,
  type SendChatMessageRequest,
} from '../../../contracts/api/chat';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;

/**
 * `POST …/chat`. The DTO only bounds the raw string (so a megabyte is refused before any work); the
 * service normalises it (contracts/api/chat.ts) and answers `validation_failed` with a sentence when
 * nothing is left or it is longer than {@link CHAT_LIMITS.bodyMax} characters.
 */
export class SendChatMessageDto implements SendChatMessageRequest {
  @ApiProperty({
    minLength: 1,
    maxLength: CHAT_LIMITS.bodyMax,
    description: `Plain text. Line breaks are kept; control characters are removed; at most ${CHAT_LIMITS.bodyMax} characters after that`,
  })
  @IsString()
  @MaxLength(CHAT_LIMITS.bodyMax * 4, { message: `body must be at most ${CHAT_LIMITS.bodyMax} characters` })
  body!: string;
}

/** `GET …/chat`: the messages after `after` (exclusive), oldest first. */
export class ListChatMessagesQueryDto {
  @ApiProperty({ required: false, format: 'uuid', description: 'The last message id the caller has' })
  @IsOptional()
  @IsUUID('all', { message: 'after must be a message id (a UUID)' })
  after?: string;

  @ApiProperty({ required: false, minimum: 1, maximum: CHAT_LIMITS.pageMax, default: 100 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(CHAT_LIMITS.pageMax)
  limit?: number;
}

export class ChatMessageDto implements ChatMessageView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({ enum: CHAT_SENDERS }) sender!: ChatSender;
  @ApiProperty({
    enum: CHAT_ORIGINS,
    description:
      '`note`: the customer’s one-way note from before the chat (the connect page’s form without JavaScript)',
  })
  origin!: ChatOrigin;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The technician’s display name; null for the customer',
  })
  author!: string | null;
  @ApiProperty({ description: 'Untrusted text: render as text only' }) body!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class ChatMessageListDto implements ChatMessageListView {
  @ApiProperty({ type: [ChatMessageDto] }) items!: ChatMessageDto[];
  @ApiProperty({ description: 'More messages follow: ask again with the last id as `after`' }) more!: boolean;
  @ApiProperty({ description: 'The session still takes messages (not ended, not expired)' }) open!: boolean;
}

export class ChatSessionRefDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The quick-support session whose chat this remote session shares',
  })
  supportSessionId!: string;
}
