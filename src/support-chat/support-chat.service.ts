import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { DataSource } from 'typeorm';
import type { ChatReplyMessage } from '../../contracts/agent-protocol/control-messages';
import type { ProtocolErrorCode } from '../../contracts/agent-protocol/enums';
import { CHAT_SINCE, protocolAtLeast } from '../../contracts/agent-protocol/version';
import {
  CHAT_BODY_PROBLEM_TEXT,
  CHAT_LIMITS,
  normaliseChatBody,
  type ChatMessageListView,
  type ChatMessageView,
  type ChatOrigin,
  type ChatSender,
} from '../../contracts/api/chat';
import { AgentControlService } from '../agent-control/agent-control.service';
import type { AuthUser } from '../common/auth-user';
import { DomainError, ErrorCode } from '../common/domain-error';
import { safeLogValue } from '../common/log-redaction';
import { PublicRateLimits } from '../common/rate-limit/public-rate-limits';
import { QuickSupportEvents } from '../quick-support/quick-support-events';
import { QuickSupportService } from '../quick-support/quick-support.service';
import { supportChatErrors as errors } from './support-chat.errors';
import { SupportChatQueries } from './support-chat.queries';

/** A page of messages: `limit` as asked (bounded by the DTO), `after` a message id or none. */
export interface ChatPage {
  after?: string;
  limit?: number;
}

interface NewMessage {
  sessionId: string;
  sender: ChatSender;
  origin: Exclude<ChatOrigin, 'note'>;
  authorId: string | null;
  raw: unknown;
  /** What to throw when the session no longer takes messages. */
  closed: () => DomainError;
}

const DEFAULT_PAGE = 100;

/**
 * The chat of a quick-support session: the technician (dashboard), the customer (connect page) and
 * the person at the device (the agent's console) write; every write is one guarded transaction (the
 * session's row locked, open checked, the cap counted), then published on the dashboard's live stream
 * and, for technician messages, sent to the session's agents that speak protocol 1.3.
 *
 * Rate limits are policy on the routes (src/common/rate-limit); the console's replies, which arrive
 * over the control channel, spend the customer side's `chat` budget keyed by the device here.
 */
@Injectable()
export class SupportChatService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SupportChatService.name);
  private replies: Subscription | undefined;
  /** Each device's replies are stored one after the other, in the order the agent sent them. */
  private readonly consoleQueues = new Map<string, Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: SupportChatQueries,
    private readonly quickSupport: QuickSupportService,
    private readonly events: QuickSupportEvents,
    private readonly control: AgentControlService,
    private readonly limits: PublicRateLimits,
  ) {}

  onModuleInit(): void {
    this.replies = this.control.events.subscribe((e) => {
      if (e.type === 'agent.message' && e.message.type === 'chat_reply')
        this.queueReply(e.deviceId, e.message);
    });
  }

  onModuleDestroy(): void {
    this.replies?.unsubscribe();
  }

  // ---- technician (the route's access rule has checked who may) ----

  async listForTechnician(sessionId: string, page: ChatPage): Promise<ChatMessageListView> {
    const session = await this.queries.session(sessionId);
    if (!session) throw errors.sessionNotFound();
    return this.page(sessionId, session.open, page);
  }

  sendFromTechnician(user: AuthUser, sessionId: string, raw: unknown): Promise<ChatMessageView> {
    return this.write({
      sessionId,
      sender: 'technician',
      origin: 'dashboard',
      authorId: user.id,
      raw,
      closed: errors.sessionClosed,
    });
  }

  /** The quick-support session behind a remote session (the viewer knows only the latter). */
  async sessionOfRemoteSession(remoteSessionId: string): Promise<string> {
    const id = await this.queries.sessionOfRemoteSession(remoteSessionId);
    if (!id) throw errors.notQuickSupport();
    return id;
  }

  // ---- customer (the link token is the credential) ----

  async listForCustomer(token: string, page: ChatPage): Promise<ChatMessageListView> {
    const session = await this.quickSupport.findOpenByToken(token);
    if (!session) throw errors.linkInactive();
    return this.page(session.id, true, page);
  }

  async sendFromCustomer(token: string, raw: unknown): Promise<ChatMessageView> {
    const session = await this.quickSupport.findOpenByToken(token);
    if (!session) throw errors.linkInactive();
    return this.write({
      sessionId: session.id,
      sender: 'customer',
      origin: 'connect_page',
      authorId: null,
      raw,
      closed: errors.linkInactive,
    });
  }

  // ---- the agent's console ----

  private queueReply(deviceId: string, reply: ChatReplyMessage): void {
    const next = (this.consoleQueues.get(deviceId) ?? Promise.resolve()).then(() =>
      this.fromConsole(deviceId, reply),
    );
    this.consoleQueues.set(deviceId, next);
    void next.finally(() => {
      if (this.consoleQueues.get(deviceId) === next) this.consoleQueues.delete(deviceId);
    });
  }

  /** A `chat_reply` from an agent: stored as the customer's, answered `ack` or `error` (never throws). */
  async fromConsole(deviceId: string, reply: ChatReplyMessage): Promise<void> {
    const answer = (code: ProtocolErrorCode, message: string): void =>
      this.control.answer(deviceId, { type: 'error', replyTo: reply.id, code, message });
    try {
      const sessionId = await this.queries.sessionOfDevice(deviceId);
      if (!sessionId)
        return answer('not_found', 'This device’s support session has ended or no longer exists.');
      await this.limits.tokenAction('chat', `device:${deviceId}`);
      await this.write({
        sessionId,
        sender: 'customer',
        origin: 'agent_console',
        authorId: null,
        raw: reply.body,
        closed: errors.sessionClosed,
      });
      this.control.answer(deviceId, { type: 'ack', replyTo: reply.id });
    } catch (err) {
      if (err instanceof DomainError) {
        const code: ProtocolErrorCode =
          err.code === ErrorCode.ValidationFailed
            ? 'bad_message'
            : err.code === ErrorCode.SessionClosed
              ? 'not_found'
              : 'limit_reached';
        return answer(code, err.message);
      }
      this.logger.warn(
        `Could not store a console message of device ${deviceId}: ${safeLogValue(err instanceof Error ? err.message : String(err))}`,
      );
      answer('internal', 'The message could not be stored. Please try again.');
    }
  }

  // ---- shared ----

  private async page(sessionId: string, open: boolean, page: ChatPage): Promise<ChatMessageListView> {
    const after = page.after ?? null;
    if (after !== null && !(await this.queries.hasMessage(sessionId, after))) throw errors.unknownAfter();
    const limit = Math.min(page.limit ?? DEFAULT_PAGE, CHAT_LIMITS.pageMax);
    const rows = await this.queries.list(sessionId, after, limit + 1);
    return { items: rows.slice(0, limit), more: rows.length > limit, open };
  }

  private async write(m: NewMessage): Promise<ChatMessageView> {
    const parsed = normaliseChatBody(m.raw);
    if ('problem' in parsed) throw errors.invalidBody(CHAT_BODY_PROBLEM_TEXT[parsed.problem]);
    const { message, owner } = await this.dataSource.transaction(async (tx) => {
      const session = await this.queries.lockSession(m.sessionId, tx);
      if (!session) throw errors.sessionNotFound();
      if (!session.open) throw m.closed();
      if ((await this.queries.countMessages(m.sessionId, tx)) >= CHAT_LIMITS.perSession)
        throw errors.chatFull();
      const saved = await this.queries.insert(
        {
          sessionId: m.sessionId,
          sender: m.sender,
          origin: m.origin,
          authorId: m.authorId,
          body: parsed.body,
        },
        tx,
      );
      return { message: saved, owner: session.owner };
    });
    this.events.publish({ type: 'chat.message', sessionId: m.sessionId, ownerId: owner, message });
    if (m.sender === 'technician') void this.toConsoles(message);
    return message;
  }

  /** Sends a technician's message to every connected 1.3 agent of the session; failures are logged. */
  private async toConsoles(message: ChatMessageView): Promise<void> {
    try {
      for (const deviceId of await this.queries.deviceIds(message.sessionId)) {
        const presence = this.control.presence(deviceId);
        if (!presence || !protocolAtLeast(presence.protocolVersion, CHAT_SINCE)) continue;
        await this.control.chatMessage(deviceId, {
          messageId: message.id,
          author: message.author ?? 'Your technician',
          body: message.body,
          sentAt: message.createdAt,
        });
      }
    } catch (err) {
      this.logger.warn(
        `A chat message did not reach the agent's console: ${safeLogValue(err instanceof Error ? err.message : String(err))}`,
      );
    }
  }
}
