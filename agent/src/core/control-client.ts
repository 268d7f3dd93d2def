import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import {
  AGENT_PROTOCOL_HEADER,
  CONTROL_CLOSE_NO_RECONNECT,
  ControlCloseCode,
} from '../../../contracts/agent-protocol/connection';
import { parsePortalMessage, requestIdOf } from '../../../contracts/agent-protocol/control-message-parser';
import type {
  AgentToPortalMessage,
  HelloMessage,
  PortalToAgentMessage,
} from '../../../contracts/agent-protocol/control-messages';
import { formatDeviceBearer } from '../../../contracts/agent-protocol/device-bearer';
import { CONTROL_MAX_PAYLOAD, DEFAULT_HEARTBEAT_SEC } from '../../../contracts/agent-protocol/limits';
import { PROTOCOL_VERSION } from '../../../contracts/agent-protocol/version';
import { Backoff } from './backoff';
import { safe, type AgentLogger } from './logger';

export type ControlState = 'connecting' | 'connected' | 'reconnecting' | 'stopped';

export interface ControlClientOptions {
  controlUrl: string;
  deviceId: string;
  credential: string;
  /** The hello fields, read at each (re)connect so the kill switch state is current. */
  hello: () => Omit<HelloMessage, 'type' | 'id'>;
  onMessage: (message: PortalToAgentMessage) => void;
  /** The portal's protocol version, from each `hello_ack` (what the agent may send it). */
  onPortalVersion?: (version: string) => void;
  onState: (state: ControlState) => void;
  /** The portal no longer accepts this device (401/410/4410/4426): stop for good. */
  onRejected: (reason: string) => void;
  logger: AgentLogger;
  backoff?: Backoff;
  uptimeSec: () => number;
}

/** HTTP answers to the upgrade that mean the credential will never work again. */
const FINAL_HTTP_STATUSES = new Set([401, 403, 410, 426]);

/**
 * The control channel: one WebSocket to the portal, authenticated by the device credential in the
 * Authorization header, with heartbeats, a liveness timeout, and reconnects with backoff and jitter.
 * Reconnecting reuses the credential; it never registers again.
 */
export class ControlClient {
  private ws: WebSocket | undefined;
  private state: ControlState = 'connecting';
  private readonly backoff: Backoff;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private livenessTimer: NodeJS.Timeout | undefined;
  private heartbeatSec = DEFAULT_HEARTBEAT_SEC;
  private openedAt = 0;
  private nextId = 1;

  constructor(private readonly options: ControlClientOptions) {
    this.backoff = options.backoff ?? new Backoff();
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  start(): void {
    this.connect();
  }

  /** Sends when connected; false when the message could not be sent (it is not queued). */
  send(message: AgentToPortalMessage): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /** Sends `last` (e.g. goodbye), closes with 1000 and stops reconnecting. */
  async stop(last?: AgentToPortalMessage, timeoutMs = 3000): Promise<void> {
    this.setState('stopped');
    clearTimeout(this.reconnectTimer);
    this.clearTimers();
    const ws = this.ws;
    if (!ws) return;
    if (ws.readyState === WebSocket.CONNECTING) {
      ws.terminate();
      return;
    }
    if (last && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(last));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, timeoutMs);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (ws.readyState === WebSocket.OPEN) ws.close(ControlCloseCode.Normal, 'agent stopping');
      else if (ws.readyState === WebSocket.CLOSED) ws.emit('close');
    });
  }

  private connect(): void {
    if (this.state === 'stopped') return;
    const { controlUrl, deviceId, credential, logger } = this.options;
    const ws = new WebSocket(controlUrl, {
      headers: {
        authorization: formatDeviceBearer(deviceId, credential),
        [AGENT_PROTOCOL_HEADER]: PROTOCOL_VERSION,
      },
      maxPayload: CONTROL_MAX_PAYLOAD,
      handshakeTimeout: 15_000,
      perMessageDeflate: false,
      followRedirects: false,
    });
    this.ws = ws;
    let rejected = false;
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      res.resume();
      ws.terminate();
      if (FINAL_HTTP_STATUSES.has(status)) {
        rejected = true;
        this.reject(`the portal refused the control channel (HTTP ${status})`);
      } else {
        logger.warn(`control channel upgrade answered HTTP ${status}`);
      }
    });
    ws.on('open', () => this.onOpen(ws));
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.onFrame(ws, (data as Buffer).toString('utf8'));
    });
    ws.on('error', (err) => logger.debug(`control channel error: ${safe(err)}`));
    ws.on('close', (code, reason) => {
      if (ws !== this.ws) return;
      this.clearTimers();
      const upFor = this.openedAt ? Date.now() - this.openedAt : 0;
      this.openedAt = 0;
      if (rejected || this.state === 'stopped') return;
      if (CONTROL_CLOSE_NO_RECONNECT.includes(code)) {
        this.reject(`the portal closed the control channel (${code} ${safe(reason.toString('utf8'), 100)})`);
        return;
      }
      this.backoff.connectionEnded(upFor);
      this.scheduleReconnect(code);
    });
  }

  private onOpen(ws: WebSocket): void {
    this.openedAt = Date.now();
    this.setState('connected');
    this.options.logger.info('control channel connected');
    ws.send(
      JSON.stringify({ type: 'hello', id: this.id('h'), ...this.options.hello() } satisfies HelloMessage),
    );
    this.armLiveness();
    this.heartbeatTimer = setInterval(() => {
      this.send({ type: 'heartbeat', id: this.id('hb'), uptimeSec: this.options.uptimeSec() });
    }, this.heartbeatSec * 1000);
  }

  private onFrame(ws: WebSocket, text: string): void {
    this.armLiveness();
    const parsed = parsePortalMessage(text);
    if (!parsed.ok) {
      this.options.logger.warn(`ignored a malformed portal message: ${safe(parsed.error)}`);
      const replyTo = requestIdOf(text);
      this.send({
        type: 'error',
        ...(replyTo && { replyTo }),
        code: 'bad_message',
        message: safe(parsed.error, 500),
      });
      return;
    }
    const message = parsed.value;
    if (message.type === 'hello_ack') {
      this.applyHeartbeat(ws, message.heartbeatSec);
      this.options.onPortalVersion?.(message.protocolVersion);
      return;
    }
    if (message.type === 'heartbeat_ack') return;
    this.options.onMessage(message);
  }

  private applyHeartbeat(ws: WebSocket, seconds: number): void {
    if (seconds === this.heartbeatSec || ws !== this.ws) return;
    this.heartbeatSec = seconds;
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => {
      this.send({ type: 'heartbeat', id: this.id('hb'), uptimeSec: this.options.uptimeSec() });
    }, seconds * 1000);
    this.armLiveness();
  }

  /** No frame for 2.5 heartbeats: the connection is dead even if TCP has not noticed. */
  private armLiveness(): void {
    clearTimeout(this.livenessTimer);
    this.livenessTimer = setTimeout(() => {
      this.options.logger.warn('control channel silent; reconnecting');
      this.ws?.terminate();
    }, this.heartbeatSec * 2500);
  }

  private scheduleReconnect(code: number): void {
    this.setState('reconnecting');
    const delay = this.backoff.next();
    this.options.logger.info(
      `control channel closed (${code}); reconnecting in ${Math.round(delay / 100) / 10}s`,
    );
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private reject(reason: string): void {
    this.setState('stopped');
    this.clearTimers();
    this.options.onRejected(reason);
  }

  private clearTimers(): void {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.livenessTimer);
  }

  private setState(state: ControlState): void {
    if (this.state === state) return;
    this.state = state;
    this.options.onState(state);
  }

  private id(prefix: string): string {
    return `${prefix}-${this.nextId++}`;
  }
}
