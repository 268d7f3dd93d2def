import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { ChatMessageView } from '../../contracts/api/chat';
import type { SupportNoteDto, SupportSessionDto } from './dto/support-session.dto';
import type { EndReason } from './entities/support-session.entity';

export type QuickSupportEvent =
  | { type: 'session.created'; session: SupportSessionDto }
  | { type: 'session.updated'; session: SupportSessionDto }
  /** `ownerId`: the session's owner when the note arrived (see supportSessionOwnerId). */
  | { type: 'note.added'; sessionId: string; ownerId: string | null; note: SupportNoteDto }
  /**
   * A chat message either side wrote (src/support-chat publishes it here so the dashboard's one
   * stream carries it); `ownerId` as for notes: only the owner and admins receive it.
   */
  | { type: 'chat.message'; sessionId: string; ownerId: string | null; message: ChatMessageView }
  /**
   * A session ended. Not sent to the dashboard (it gets `session.updated`); the agent control channel
   * listens for it and sends `end_session` to each device so quick-support agents remove themselves.
   */
  | { type: 'session.ended'; sessionId: string; deviceIds: string[]; reason: EndReason };

/**
 * In-process stream of quick-support changes, published after the transaction that made them commits.
 * Session DTOs here are whole; the dashboard's stream shows each technician their own view.
 */
@Injectable()
export class QuickSupportEvents implements OnModuleDestroy {
  private readonly subject = new Subject<QuickSupportEvent>();

  get stream(): Observable<QuickSupportEvent> {
    return this.subject.asObservable();
  }

  publish(event: QuickSupportEvent): void {
    this.subject.next(event);
  }

  onModuleDestroy(): void {
    this.subject.complete();
  }
}
