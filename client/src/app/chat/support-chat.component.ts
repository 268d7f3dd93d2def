import { DatePipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  effect,
  ElementRef,
  inject,
  input,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { firstValueFrom, type Observable } from 'rxjs';

import { CHAT_LIMITS, type ChatMessageView } from '../../../../contracts/api/chat';
import { ApiError } from '../core/api-error';
import type { ServerEventMessage } from '../core/server-events';
import { injectNow, RelativeTimePipe } from '../shared/relative-time';
import { ChatApiService, type ChatLiveEvent } from './chat-api.service';

let nextId = 0;
const POLL_MS = 5_000;

/** Oldest first, by time then id (as the portal orders them). */
function byTime(a: ChatMessageView, b: ChatMessageView): number {
  return a.createdAt === b.createdAt ? a.id.localeCompare(b.id) : a.createdAt < b.createdAt ? -1 : 1;
}

/**
 * The chat with a quick-support session's customer, shared by the queue's details panel and the
 * viewer: the conversation (the customer's older notes first), kept live by the dashboard's event
 * stream (and caught up after a break), and a box to write in for those who may (`canWrite`: the
 * owner and admins, while the session is open). Every body is the sender's text, bound as text.
 */
@Component({
  selector: 'app-support-chat',
  imports: [
    DatePipe,
    FormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    RelativeTimePipe,
  ],
  template: `
    <section class="chat" [attr.aria-labelledby]="headingId">
      <h3 [id]="headingId">
        Chat with the customer
        @if (messages().length) {
          <span class="count">{{ messages().length }}</span>
        }
      </h3>
      @if (loadError(); as message) {
        <p class="error" role="alert">{{ message }}</p>
      } @else if (loading()) {
        <p class="muted" role="status">Loading the chat…</p>
      } @else {
        <ol #list class="messages" aria-live="polite" aria-label="Chat messages" tabindex="0">
          @for (m of messages(); track m.id) {
            <li [class.from-technician]="m.sender === 'technician'" [attr.data-origin]="m.origin">
              <span class="sender">{{ senderName(m) }}</span>
              <p class="body">{{ m.body }}</p>
              <time [attr.datetime]="m.createdAt" [title]="m.createdAt | date: 'full'">{{
                m.createdAt | relativeTime: now() : 'past'
              }}</time>
            </li>
          } @empty {
            <li class="empty muted">
              No messages yet. The customer writes from the connect page or the support tool's window.
            </li>
          }
        </ol>
        @if (!open()) {
          <p class="muted">The session has ended: its chat can be read but takes no new messages.</p>
        } @else if (canWrite()) {
          <form class="compose" (submit)="send($event)">
            <mat-form-field appearance="outline" subscriptSizing="dynamic">
              <mat-label>Message to the customer</mat-label>
              <textarea
                matInput
                name="body"
                rows="2"
                [maxlength]="max"
                [(ngModel)]="draft"
                (keydown.enter)="sendOnEnter($event)"
              ></textarea>
              <mat-hint>Enter sends, Shift+Enter starts a new line</mat-hint>
            </mat-form-field>
            <button matButton="filled" type="submit" [disabled]="sending() || !draft().trim()">
              <mat-icon svgIcon="send" aria-hidden="true" />
              Send
            </button>
          </form>
          @if (sendError(); as message) {
            <p class="error" role="alert">{{ message }}</p>
          }
        }
      }
    </section>
  `,
  styles: `
    h3 {
      display: flex;
      align-items: center;
      gap: 8px;
      margin: 0 0 8px;
      font-size: 1rem;
    }
    .count {
      color: var(--app-brand-strong);
      font-size: 0.75rem;
      padding: 0 8px;
      border-radius: 999px;
      background: var(--app-brand-soft);
    }
    .messages {
      list-style: none;
      margin: 0 0 12px;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 8px;
      max-height: 320px;
      overflow-y: auto;
    }
    li {
      align-self: flex-start;
      max-width: 85%;
      padding: 6px 10px;
      border-radius: 8px;
      border: 1px solid var(--app-border);
      background: var(--app-surface);
    }
    li.from-technician {
      align-self: flex-end;
      background: var(--app-brand-soft);
    }
    li.empty {
      align-self: stretch;
      max-width: none;
      border: 0;
      background: none;
      padding: 0;
    }
    .sender {
      font-size: 0.8125rem;
      font-weight: 600;
    }
    .body {
      margin: 2px 0;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    time,
    .muted {
      font-size: 0.8125rem;
      color: var(--app-text-muted);
    }
    .compose {
      display: flex;
      gap: 8px;
      align-items: flex-start;
    }
    .compose mat-form-field {
      flex: 1;
    }
    .error {
      color: var(--app-danger);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SupportChatComponent {
  private readonly api = inject(ChatApiService);
  private readonly destroyRef = inject(DestroyRef);

  /** The quick-support session. */
  readonly sessionId = input.required<string>();
  /** The signed-in user may write (the session's owner or an admin); auditors and others read. */
  readonly canWrite = input(true);
  /**
   * How new messages arrive: the dashboard's event stream (the queue page), or a poll every 5 s where
   * the window already holds its streams and the browser's few connections per host are spoken for
   * (the viewer: its session's events, the command output streams).
   */
  readonly follow = input<'stream' | 'poll'>('stream');
  /** With `stream`: a stream the page already has (the queue's store); otherwise one of its own. */
  readonly live = input<Observable<ServerEventMessage<ChatLiveEvent>> | null>(null);
  /** The session has ended (the parent knows first, from its own live state). */
  readonly ended = input(false);

  protected readonly headingId = `support-chat-${nextId++}`;
  protected readonly max = CHAT_LIMITS.bodyMax;
  protected readonly now = injectNow();
  protected readonly messages = signal<ChatMessageView[]>([]);
  protected readonly loading = signal(true);
  protected readonly loadError = signal<string | null>(null);
  private readonly openNow = signal(true);
  protected readonly open = computed(() => this.openNow() && !this.ended());
  protected readonly draft = signal('');
  protected readonly sending = signal(false);
  protected readonly sendError = signal<string | null>(null);
  private readonly list = viewChild<ElementRef<HTMLElement>>('list');
  private readonly newest = computed(() => this.messages().at(-1)?.id);

  constructor() {
    effect(() => {
      const id = this.sessionId();
      untracked(() => {
        this.messages.set([]);
        this.loading.set(true);
        this.loadError.set(null);
        void this.catchUp(id);
      });
    });
    // Keep the newest message in view as messages arrive.
    effect(() => {
      this.newest();
      const list = this.list()?.nativeElement;
      if (list) queueMicrotask(() => (list.scrollTop = list.scrollHeight));
    });
    effect((onCleanup) => {
      if (this.follow() === 'poll') {
        const timer = setInterval(() => {
          if (!this.loading() && this.open()) void this.catchUp(this.sessionId());
        }, POLL_MS);
        onCleanup(() => clearInterval(timer));
        return;
      }
      const sub = (this.live() ?? this.api.live())
        .pipe(takeUntilDestroyed(this.destroyRef))
        .subscribe((message) => {
          if (message.kind === 'status') {
            if (message.resumed) void this.catchUp(this.sessionId());
            return;
          }
          this.onLive(message.event);
        });
      onCleanup(() => sub.unsubscribe());
    });
  }

  protected senderName(m: ChatMessageView): string {
    if (m.sender === 'technician') return m.author ?? 'Technician';
    return m.origin === 'agent_console' ? 'Customer (support tool)' : 'Customer';
  }

  protected sendOnEnter(event: Event): void {
    if ((event as KeyboardEvent).shiftKey) return;
    event.preventDefault();
    void this.send(event);
  }

  protected async send(event: Event): Promise<void> {
    event.preventDefault();
    const body = this.draft().trim();
    if (!body || this.sending()) return;
    this.sending.set(true);
    this.sendError.set(null);
    try {
      const saved = await firstValueFrom(this.api.send(this.sessionId(), body));
      this.merge([saved]);
      this.draft.set('');
    } catch (error: unknown) {
      if (error instanceof ApiError && error.code === 'session_closed') this.openNow.set(false);
      this.sendError.set(error instanceof ApiError ? error.message : 'The message could not be sent.');
    } finally {
      this.sending.set(false);
    }
  }

  private onLive(event: ChatLiveEvent): void {
    if (event.data.sessionId !== this.sessionId()) return;
    if (event.type === 'chat.message') this.merge([event.data.message]);
    else {
      const { note, sessionId } = event.data;
      this.merge([{ ...note, sessionId, sender: 'customer', origin: 'note', author: null }]);
    }
  }

  /** Loads what is missing (everything at first, then what came after the newest), page by page. */
  private async catchUp(id: string): Promise<void> {
    try {
      for (let more = true; more && id === this.sessionId();) {
        const page = await firstValueFrom(this.api.list(id, this.newest()));
        if (id !== this.sessionId()) return;
        this.merge(page.items);
        this.openNow.set(page.open);
        more = page.more;
      }
    } catch (error: unknown) {
      if (this.messages().length === 0)
        this.loadError.set(error instanceof ApiError ? error.message : 'The chat could not be loaded.');
    } finally {
      this.loading.set(false);
    }
  }

  private merge(items: readonly ChatMessageView[]): void {
    if (items.length === 0) return;
    this.messages.update((known) => {
      const ids = new Set(known.map((m) => m.id));
      const added = items.filter((m) => !ids.has(m.id));
      return added.length === 0 ? known : [...known, ...added].sort(byTime);
    });
  }
}
