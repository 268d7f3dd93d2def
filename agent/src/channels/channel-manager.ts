import type WebSocket from 'ws';
import type {
  ChannelOpenedMessage,
  ChannelRef,
  OpenChannelMessage,
} from '../../../contracts/agent-protocol/control-messages';
import type { ChannelKind, ProtocolErrorCode, ScreenMode } from '../../../contracts/agent-protocol/enums';
import { RelayCloseCode } from '../../../contracts/relay-close-codes';
import type { ActionGate } from '../core/action-gate';
import { safe, type AgentLogger } from '../core/logger';
import type { ActiveChannel, ChannelContext, ChannelEnd } from './channel';
import { RelayDialError, dialRelay } from './relay-dialer';

export type ChannelFactory = (ctx: ChannelContext) => ActiveChannel | Promise<ActiveChannel>;

export type OpenResult =
  | { ok: true; opened?: Pick<ChannelOpenedMessage, 'monitors' | 'monitor'> }
  | { ok: false; code: ProtocolErrorCode; message: string };

export interface ChannelManagerOptions {
  factories: Partial<Record<ChannelKind, ChannelFactory>>;
  gate: ActionGate;
  logger: AgentLogger;
  /** A channel ended (for any reason): report `channel_closed`. */
  onClosed: (ref: ChannelRef, end: ChannelEnd) => void;
  /** The set of open channels changed (status line, agent_status). */
  onChange: () => void;
  dial?: (relayUrl: string, ref: ChannelRef, token: string) => Promise<WebSocket>;
}

interface Entry {
  channel: ActiveChannel;
  technician?: string;
  organisation?: string;
  /** Screen channels: whether the technician's input reaches the device. */
  mode?: ScreenMode;
}

/** An open channel as the person at the device sees it (indicator, status line). */
export interface OpenChannelView extends ChannelRef {
  mode?: ScreenMode;
}

/** How long a replaced channel's relay socket is given to close before the new one dials anyway. */
const RELEASE_WAIT_MS = 2000;

async function settledWithin(promise: Promise<void> | undefined, ms: number): Promise<void> {
  if (!promise) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

const REPLACED_SENTENCE = 'A newer request for the same channel replaced this one.';

const key = (ref: ChannelRef): string => `${ref.sessionId}/${ref.channel}`;

/**
 * Opens channels on the portal's request (gate first, then the relay, then the bridge) and keeps track
 * of them. A second open for the same (session, channel) replaces the first: that is a viewer
 * reconnecting with fresh tokens.
 */
export class ChannelManager {
  private readonly open = new Map<string, Entry>();
  /** The newest request per (session, channel): an older one still waiting at the gate gives way. */
  private readonly newest = new Map<string, number>();
  /** Requests in flight per (session, channel): waiting for consent, or dialling. */
  private readonly opening = new Map<string, number>();
  private requests = 0;

  constructor(private readonly options: ChannelManagerOptions) {}

  list(): ChannelRef[] {
    return [...this.open.values()].map((e) => e.channel.ref);
  }

  /** The open channels with the screen's mode. */
  views(): OpenChannelView[] {
    return [...this.open.values()].map((e) => ({ ...e.channel.ref, ...(e.mode && { mode: e.mode }) }));
  }

  /** The technician named by the most recent open channel, for the customer's status line. */
  technician(): string | undefined {
    return [...this.open.values()].reverse().find((e) => e.technician)?.technician;
  }

  /** The organisation named by the most recent open channel (protocol 1.2 portals send it). */
  organisation(): string | undefined {
    return [...this.open.values()].reverse().find((e) => e.organisation)?.organisation;
  }

  /**
   * The person at the device switched the screen's mode: every open screen channel follows at once.
   * Returns the sessions whose screen changed.
   */
  setScreenMode(mode: ScreenMode): string[] {
    const changed: string[] = [];
    for (const entry of this.open.values()) {
      if (entry.channel.ref.channel !== 'screen' || entry.mode === mode) continue;
      entry.mode = mode;
      entry.channel.setInputMode?.(mode);
      changed.push(entry.channel.ref.sessionId);
    }
    if (changed.length > 0) this.options.onChange();
    return changed;
  }

  async openChannel(message: OpenChannelMessage): Promise<OpenResult> {
    const k = `${message.sessionId}/${message.channel}`;
    this.opening.set(k, (this.opening.get(k) ?? 0) + 1);
    try {
      return await this.tryOpen(message);
    } finally {
      const left = (this.opening.get(k) ?? 1) - 1;
      if (left > 0) this.opening.set(k, left);
      else {
        this.opening.delete(k);
        if (!this.open.has(k)) this.newest.delete(k);
      }
    }
  }

  private async tryOpen(message: OpenChannelMessage): Promise<OpenResult> {
    const ref: ChannelRef = { sessionId: message.sessionId, channel: message.channel };
    const factory = this.options.factories[message.channel];
    if (!factory)
      return {
        ok: false,
        code: 'unsupported',
        message: `This device does not support the ${message.channel} channel.`,
      };
    const ticket = ++this.requests;
    this.newest.set(key(ref), ticket);
    const superseded = (): boolean => this.newest.get(key(ref)) !== ticket;
    const decision = await this.options.gate.check({
      action: message.channel,
      sessionId: message.sessionId,
      requestedBy: message.technician,
      ...(message.consent && { consent: message.consent }),
    });
    if (!decision.allowed) return { ok: false, code: decision.code, message: decision.message };
    // A reconnect asked again while the person was deciding: the one answer serves the newest request.
    if (superseded()) return { ok: false, code: 'duplicate', message: REPLACED_SENTENCE };
    // The relay keeps one agent side per (session, channel): let go of the old one before dialling.
    const previous = this.open.get(key(ref));
    if (previous) {
      previous.channel.close(RelayCloseCode.Normal, 'Replaced by a new connection.');
      await settledWithin(previous.channel.socketClosed, RELEASE_WAIT_MS);
      if (superseded()) return { ok: false, code: 'duplicate', message: REPLACED_SENTENCE };
    }
    let ws: WebSocket;
    try {
      ws = await (this.options.dial ?? dialRelay)(message.relayUrl, ref, message.token);
    } catch (err) {
      const text = err instanceof RelayDialError ? err.message : 'The relay could not be reached.';
      this.options.logger.warn(`relay dial for ${message.channel} failed: ${safe(err)}`);
      return { ok: false, code: 'channel_failed', message: text };
    }
    if (superseded()) {
      ws.close(RelayCloseCode.Normal, REPLACED_SENTENCE);
      return { ok: false, code: 'duplicate', message: REPLACED_SENTENCE };
    }
    let channel: ActiveChannel;
    try {
      channel = await factory({
        ws,
        ref,
        logger: this.options.logger,
        mode: decision.mode ?? 'control',
        ...(message.shellProfile && { shellProfile: message.shellProfile }),
        ...(message.monitor !== undefined && { monitor: message.monitor }),
      });
    } catch (err) {
      this.options.logger.warn(`${message.channel} channel failed to start: ${safe(err)}`);
      ws.close(RelayCloseCode.ChannelUnsupported, 'The channel could not start on this device.');
      return { ok: false, code: 'channel_failed', message: 'The channel could not start on this device.' };
    }
    const entry: Entry = {
      channel,
      ...(message.technician && { technician: message.technician }),
      ...(message.consent && { organisation: message.consent.organisation }),
      ...(message.channel === 'screen' && { mode: decision.mode ?? 'control' }),
    };
    this.open.set(key(ref), entry);
    this.options.logger.info(`${message.channel} channel open for session ${ref.sessionId}`);
    this.options.onChange();
    void channel.ended.then((end) => {
      if (this.open.get(key(ref)) === entry) {
        this.open.delete(key(ref));
        if (!this.opening.has(key(ref))) this.newest.delete(key(ref));
      }
      this.options.logger.info(`${message.channel} channel closed (${end.code})`);
      this.options.onClosed(ref, end);
      this.options.onChange();
    });
    return channel.opened ? { ok: true, opened: channel.opened } : { ok: true };
  }

  /**
   * Closes the session's channel(s), and gives up any still opening (waiting for consent or dialling);
   * returns how many there were.
   */
  close(sessionId: string, channel: ChannelKind | undefined, code: number, reason: string): number {
    let count = 0;
    for (const k of this.opening.keys()) {
      const [sid, ch] = k.split('/');
      if (sid === sessionId && (channel === undefined || ch === channel) && !this.open.has(k)) {
        this.newest.set(k, ++this.requests);
        count++;
      }
    }
    for (const entry of [...this.open.values()]) {
      const ref = entry.channel.ref;
      if (ref.sessionId === sessionId && (channel === undefined || ref.channel === channel)) {
        entry.channel.close(code, reason);
        count++;
      }
    }
    return count;
  }

  /** Closes every channel and waits (bounded) until each has ended. */
  async closeAll(code: number, reason: string, timeoutMs = 3000): Promise<void> {
    const channels = [...this.open.values()].map((e) => e.channel);
    for (const c of channels) c.close(code, reason);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(channels.map((c) => c.ended)),
      new Promise((r) => (timer = setTimeout(r, timeoutMs))),
    ]);
    // The bound must not outlive the wait (it kept an ending agent, and jest, alive for 3 s).
    clearTimeout(timer);
  }
}
