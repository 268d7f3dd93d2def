import type { WebSocket } from 'ws';
import type {
  AgentToPortalMessage,
  HelloMessage,
  PortalToAgentMessage,
} from '../../contracts/agent-protocol/control-messages';
import { AgentControlError, agentControlErrors as errors } from './agent-control.errors';

/** A request sent to an agent, before the `id` is assigned. */
export type AgentRequest = PortalToAgentMessage extends infer M
  ? M extends { id: string }
    ? Omit<M, 'id'>
    : never
  : never;

interface Pending {
  expect: AgentToPortalMessage['type'];
  resolve: (message: AgentToPortalMessage) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One agent's live control channel: sends requests with fresh ids and matches the responses
 * (`replyTo`) to them, with a timeout each. Everything unanswered is rejected when the socket closes.
 */
export class AgentConnection {
  readonly connectedAt = new Date();
  hello: HelloMessage | undefined;
  killSwitch = false;
  alive = true;
  lastTouchedAt = 0;
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();

  constructor(
    readonly deviceId: string,
    readonly ws: WebSocket,
  ) {}

  get isOpen(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  send(message: PortalToAgentMessage): void {
    if (this.isOpen) this.ws.send(JSON.stringify(message));
  }

  /** Sends a request and resolves with the response of type `expect` (an `error` answer rejects). */
  request<T extends AgentToPortalMessage['type']>(
    request: AgentRequest,
    expect: T,
    timeoutMs: number,
  ): Promise<Extract<AgentToPortalMessage, { type: T }>> {
    if (!this.isOpen) return Promise.reject(errors.wentAway());
    const id = `p${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(errors.timedOut());
      }, timeoutMs);
      this.pending.set(id, { expect, resolve: resolve as (m: AgentToPortalMessage) => void, reject, timer });
      this.send({ ...request, id });
    });
  }

  /** Routes a response to its request; false when nothing waited for it. */
  settle(message: AgentToPortalMessage & { replyTo?: string }): boolean {
    const replyTo = message.replyTo;
    if (replyTo === undefined) return false;
    const pending = this.pending.get(replyTo);
    if (!pending) return false;
    this.pending.delete(replyTo);
    clearTimeout(pending.timer);
    if (message.type === 'error') pending.reject(new AgentControlError(message.code, message.message));
    else if (message.type === pending.expect) pending.resolve(message);
    else
      pending.reject(
        new AgentControlError(
          'bad_message',
          `The agent answered ${message.type} instead of ${pending.expect}.`,
        ),
      );
    return true;
  }

  /** Rejects everything still waiting (the socket closed). */
  failAll(): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(errors.wentAway());
      this.pending.delete(id);
    }
  }
}
