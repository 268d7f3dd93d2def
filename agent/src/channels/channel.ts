import type WebSocket from 'ws';
import type { ChannelOpenedMessage, ChannelRef } from '../../../contracts/agent-protocol/control-messages';
import type { ScreenMode, ShellProfile } from '../../../contracts/agent-protocol/enums';
import type { AgentLogger } from '../core/logger';

/** How a channel ended: the close code sent on the relay socket and its sentence. */
export interface ChannelEnd {
  code: number;
  reason: string;
}

/** A running channel bridge (screen, shell, commands) over one relay socket. */
export interface ActiveChannel {
  readonly ref: ChannelRef;
  /** Resolves once, when the channel has ended for any reason. */
  readonly ended: Promise<ChannelEnd>;
  /** Resolves when its relay socket has closed (the relay has let go of this side). */
  readonly socketClosed?: Promise<void>;
  /** Ends the channel with a relay close code (4100–4199 reach the viewer as is). */
  close(code: number, reason: string): void;
  /** Screen channels: switches the viewer's input between control and view-only, live. */
  setInputMode?(mode: ScreenMode): void;
  /** What `channel_opened` reports about it (1.3, screen: the device's monitors and the one shown). */
  readonly opened?: Pick<ChannelOpenedMessage, 'monitors' | 'monitor'>;
}

export interface ChannelContext {
  ws: WebSocket;
  ref: ChannelRef;
  logger: AgentLogger;
  /** Screen channels: the mode the person at the device allowed (control unless they chose view only). */
  mode?: ScreenMode;
  /** Shell channels (protocol 1.3): `plain` starts the shell without the login profile. */
  shellProfile?: ShellProfile;
  /** Screen channels (1.3): the one monitor the technician chose to see; undefined: the whole desktop. */
  monitor?: number;
}

/** Close reasons travel in a WebSocket close frame: at most 123 bytes. */
export function closeReason(text: string): string {
  let out = text;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}

/**
 * Shared bookkeeping: `ended` resolves on the first of an explicit close or the relay closing the
 * socket; `cleanup` runs once.
 */
export class ChannelLifecycle {
  readonly ended: Promise<ChannelEnd>;
  /** The relay socket's close (after the close handshake), whoever started it. */
  readonly socketClosed: Promise<void>;
  private resolveEnd!: (end: ChannelEnd) => void;
  private done = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly cleanup: () => void,
  ) {
    this.ended = new Promise((resolve) => {
      this.resolveEnd = resolve;
    });
    this.socketClosed = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.on('close', (code, reason) => this.finish({ code, reason: reason.toString('utf8') }));
  }

  get isDone(): boolean {
    return this.done;
  }

  close(code: number, reason: string): void {
    if (this.done) return;
    const text = closeReason(reason);
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING)
      this.ws.close(code, text);
    this.finish({ code, reason: text });
  }

  private finish(end: ChannelEnd): void {
    if (this.done) return;
    this.done = true;
    this.cleanup();
    this.resolveEnd(end);
  }
}
