import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { ChatOrigin, ChatSender } from '../../../contracts/api/chat';

/**
 * One chat message of a quick-support session (migrations/1763780000000-SupportChatMessages.ts).
 * `body` is untrusted text, normalised before it is stored. Deleted with its session.
 */
@Entity('support_chat_messages')
@Index('ix_support_chat_messages_session', ['sessionId', 'createdAt', 'id'])
export class SupportChatMessage {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ type: 'varchar', length: 16 })
  sender!: ChatSender;

  /** `note` never appears here: notes stay in support_session_notes and are read beside these. */
  @Column({ type: 'varchar', length: 16 })
  origin!: Exclude<ChatOrigin, 'note'>;

  @Column({ name: 'author_id', type: 'uuid', nullable: true })
  authorId!: string | null;

  @Column({ type: 'varchar', length: 1000 })
  body!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
