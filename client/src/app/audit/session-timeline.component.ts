import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { catchError, forkJoin, map, of, switchMap } from 'rxjs';

import type { ChatMessageView } from '../../../../contracts/api/chat';
import { ChatApiService } from '../chat/chat-api.service';
import { ApiError } from '../core/api-error';
import { AuditApiService, type AuditEventView } from './audit-api.service';
import { actorName, auditSentence } from './audit-sentences';

/** One line of the timeline: an audit line, or a chat message of the quick-support session. */
type TimelineLine =
  | { kind: 'audit'; id: string; at: string; event: AuditEventView }
  | { kind: 'chat'; id: string; at: string; message: ChatMessageView };

/** The chat beside the trail: its messages (one page), whether there are more, or why it is missing. */
interface ChatPart {
  messages: ChatMessageView[];
  more: boolean;
}

/**
 * A remote session's audit lines in order, one sentence each: start, consent per channel, mode
 * changes, commands, Quick Assist, reconnects, end and its reason. For a quick-support device, the
 * chat with the customer is merged in by time: its messages live in their own table (an audit row per
 * message would flood the trail), and the timeline reads them from there. Every value is shown as text.
 */
@Component({
  selector: 'app-session-timeline',
  imports: [DatePipe],
  template: `
    <h2 id="timeline-heading">Timeline</h2>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    } @else if (lines() === null) {
      <p class="muted" role="status">Loading the timeline…</p>
    } @else if (lines()!.length === 0) {
      <p class="muted">Nothing has been recorded for this session.</p>
    } @else {
      <ol class="timeline" aria-labelledby="timeline-heading">
        @for (line of lines(); track line.kind + line.id) {
          @switch (line.kind) {
            @case ('audit') {
              <li [attr.data-action]="line.event.action">
                <time [attr.datetime]="line.at">{{ line.at | date: 'medium' }}</time>
                <span class="sentence">{{ sentence(line.event) }}</span>
                <span class="meta">{{ line.event.action }} · {{ who(line.event) }}</span>
              </li>
            }
            @case ('chat') {
              <li class="chat" data-action="chat.message">
                <time [attr.datetime]="line.at">{{ line.at | date: 'medium' }}</time>
                <span class="sentence">{{ line.message.body }}</span>
                <span class="meta">chat · {{ chatSender(line.message) }}</span>
              </li>
            }
          }
        }
      </ol>
      @if (truncated()) {
        <p class="muted">
          Only the first lines are shown; the Audit page, filtered by this session, has them all.
        </p>
      }
      @if (chatMore()) {
        <p class="muted">Only the first chat messages are shown; the session’s chat has them all.</p>
      }
    }
  `,
  styles: `
    h2 {
      font-size: 1.125rem;
      margin: 24px 0 12px;
    }
    .timeline {
      list-style: none;
      margin: 0;
      padding: 0;
      border-left: 2px solid var(--app-border, #ddd);
    }
    li {
      display: grid;
      grid-template-columns: 12rem 1fr;
      gap: 2px 16px;
      padding: 8px 0 8px 16px;
    }
    li.chat .sentence {
      white-space: pre-wrap;
    }
    time {
      color: var(--app-text-muted, #666);
      font-variant-numeric: tabular-nums;
    }
    .sentence {
      overflow-wrap: anywhere;
    }
    .meta {
      grid-column: 2;
      font-size: 0.8125rem;
      color: var(--app-text-muted, #666);
    }
    .muted {
      color: var(--app-text-muted, #666);
    }
    .error {
      color: var(--app-danger, #b3261e);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SessionTimelineComponent {
  private readonly api = inject(AuditApiService);
  private readonly chat = inject(ChatApiService);

  readonly sessionId = input.required<string>();

  protected readonly lines = signal<TimelineLine[] | null>(null);
  protected readonly truncated = signal(false);
  protected readonly chatMore = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly sentence = auditSentence;
  protected readonly who = actorName;

  constructor() {
    effect((onCleanup) => {
      const id = this.sessionId();
      this.lines.set(null);
      this.error.set(null);
      this.chatMore.set(false);
      const sub = forkJoin([this.api.timeline(id), this.chatOf(id)]).subscribe({
        next: ([t, chat]) => {
          const audit: TimelineLine[] = t.items.map((event) => ({
            kind: 'audit',
            id: event.id,
            at: event.at,
            event,
          }));
          const messages: TimelineLine[] = chat.messages.map((message) => ({
            kind: 'chat',
            id: message.id,
            at: message.createdAt,
            message,
          }));
          this.lines.set([...audit, ...messages].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)));
          this.truncated.set(t.truncated);
          this.chatMore.set(chat.more);
        },
        error: (err: unknown) =>
          this.error.set(err instanceof ApiError ? err.message : 'The timeline could not be loaded.'),
      });
      onCleanup(() => sub.unsubscribe());
    });
  }

  protected chatSender(m: ChatMessageView): string {
    if (m.sender === 'technician') return m.author ?? 'the technician';
    return m.origin === 'note' ? 'the customer (note)' : 'the customer';
  }

  /** The chat of the remote session's quick-support session; none for persistent devices or when unreadable. */
  private chatOf(remoteSessionId: string) {
    return this.chat.supportSessionOf(remoteSessionId).pipe(
      switchMap((ref) => this.chat.list(ref.supportSessionId)),
      map((page): ChatPart => ({ messages: page.items, more: page.more })),
      catchError(() => of<ChatPart>({ messages: [], more: false })),
    );
  }
}
