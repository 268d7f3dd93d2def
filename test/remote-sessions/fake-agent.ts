import WebSocket from 'ws';
import { AGENT_CONTROL_PATH } from '../../contracts/agent-protocol/connection';
import { parsePortalMessage } from '../../contracts/agent-protocol/control-message-parser';
import type { PortalToAgentMessage, ScreenMonitor } from '../../contracts/agent-protocol/control-messages';
import { PROTOCOL_VERSION } from '../../contracts/agent-protocol/version';

export interface FakeAgentOptions {
  killSwitch?: boolean;
  /**
   * Acknowledge close_channel but keep the relay sockets open (a slow or misbehaving agent), so that
   * only the relay can close them.
   */
  keepRelaySockets?: boolean;
  /** Sees each message from the portal before it is answered. */
  onMessage?: (m: PortalToAgentMessage) => Promise<void> | void;
  /** Register as a quick-support (default) or a persistent agent. */
  mode?: 'quick' | 'persistent';
  /**
   * Commands keep running (started, no output, no exit) until the portal cancels them, as a long
   * `sleep` would; a cancel then exits them as cancelled, as the agent does.
   */
  holdCommands?: boolean;
  /**
   * Refuses a request with this protocol error instead of carrying it out (as a device whose person
   * said no answers `consent_denied`); undefined carries it out.
   */
  refuse?: (m: PortalToAgentMessage) => { code: string; message: string } | undefined;
  /** The protocol version it announces (default: the current one). */
  protocolVersion?: string;
  /**
   * Protocol 1.3: the monitors a screen `channel_opened` lists; a chosen `monitor` the list has is
   * answered as shown (the real agent then shares that monitor alone).
   */
  monitors?: ScreenMonitor[];
}

/**
 * A stand-in agent on the real control channel: it answers open_channel by really dialling the relay
 * with the agent token (as the agent does) and keeps those sockets; it acks close_channel and closes
 * the channel named, or every channel of the session (unless told to keep them). It runs every command
 * as `echo` would (one output line, exit 0) and answers the Quick Assist requests as a ready Windows
 * desktop. Everything the portal sent is in `inbox`; `onMessage` sees each message before it is
 * answered.
 */
export class FakeAgent {
  readonly inbox: PortalToAgentMessage[] = [];
  /** Relay sockets per `<sessionId>/<channel>` (the latest one). */
  readonly channels = new Map<string, WebSocket>();
  private ws!: WebSocket;

  constructor(
    private readonly portalUrl: string,
    private readonly deviceId: string,
    private readonly credential: string,
    private readonly opts: FakeAgentOptions = {},
  ) {}

  async connect(): Promise<void> {
    const url = `${this.portalUrl.replace(/^http/, 'ws')}${AGENT_CONTROL_PATH}`;
    this.ws = new WebSocket(url, {
      headers: {
        authorization: `Bearer ${this.deviceId}.${this.credential}`,
        'x-agent-protocol-version': this.opts.protocolVersion ?? PROTOCOL_VERSION,
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (d: Buffer) => {
      const parsed = parsePortalMessage(d.toString('utf8'));
      if (!parsed.ok) throw new Error(parsed.error);
      this.inbox.push(parsed.value);
      void this.handle(parsed.value);
    });
    this.send({
      type: 'hello',
      id: 'h1',
      protocolVersion: this.opts.protocolVersion ?? PROTOCOL_VERSION,
      agentVersion: '0.1.0',
      mode: this.opts.mode ?? 'quick',
      capabilities: ['screen', 'shell', 'commands'],
      killSwitch: this.opts.killSwitch ?? false,
    });
  }

  send(message: object): void {
    this.ws.send(JSON.stringify(message));
  }

  /** The messages of one type the portal sent, narrowed to that type. */
  received<T extends PortalToAgentMessage['type']>(type: T): Extract<PortalToAgentMessage, { type: T }>[] {
    return this.inbox.filter((m): m is Extract<PortalToAgentMessage, { type: T }> => m.type === type);
  }

  close(): void {
    for (const c of this.channels.values()) c.close();
    this.ws.close(1000);
  }

  private async handle(m: PortalToAgentMessage): Promise<void> {
    await this.opts.onMessage?.(m);
    await this.answer(m);
  }

  private async answer(m: PortalToAgentMessage): Promise<void> {
    const refusal = 'id' in m ? this.opts.refuse?.(m) : undefined;
    if (refusal && 'id' in m) {
      this.send({ type: 'error', replyTo: m.id, ...refusal });
    } else if (m.type === 'open_channel') {
      const relay = new URL('ws', `${m.relayUrl}/`);
      relay.searchParams.set('sid', m.sessionId);
      relay.searchParams.set('ch', m.channel);
      relay.searchParams.set('role', 'agent');
      // A second open of the same channel replaces the first, as the real agent does.
      const previous = this.channels.get(`${m.sessionId}/${m.channel}`);
      if (previous && previous.readyState !== WebSocket.CLOSED) {
        const gone = new Promise((resolve) => previous.once('close', resolve));
        previous.close(1000);
        await gone;
      }
      const sock = new WebSocket(relay.toString(), { headers: { authorization: `Bearer ${m.token}` } });
      await new Promise<void>((resolve, reject) => {
        sock.once('open', () => resolve());
        sock.once('error', reject);
      });
      this.channels.set(`${m.sessionId}/${m.channel}`, sock);
      const monitors = m.channel === 'screen' ? this.opts.monitors : undefined;
      this.send({
        type: 'channel_opened',
        replyTo: m.id,
        sessionId: m.sessionId,
        channel: m.channel,
        ...(monitors && { monitors }),
        ...(monitors && m.monitor !== undefined && m.monitor < monitors.length && { monitor: m.monitor }),
      });
    } else if (m.type === 'close_channel') {
      // The channel named, or (none named) every channel of the session, as the agent closes them.
      const closing = (key: string) =>
        m.channel ? key === `${m.sessionId}/${m.channel}` : key.startsWith(`${m.sessionId}/`);
      if (!this.opts.keepRelaySockets)
        for (const [key, sock] of this.channels) if (closing(key)) sock.close(1000);
      this.send({ type: 'ack', replyTo: m.id });
    } else if (m.type === 'end_session' || m.type === 'chat_message') {
      this.send({ type: 'ack', replyTo: m.id });
    } else if (m.type === 'cancel_command') {
      this.send({ type: 'ack', replyTo: m.id });
      if (this.opts.holdCommands)
        this.send({
          type: 'command_exit',
          commandId: m.commandId,
          exitCode: null,
          signal: 'SIGTERM',
          timedOut: false,
          cancelled: true,
          truncated: false,
          durationMs: 1,
        });
    } else if (m.type === 'run_command' && this.opts.holdCommands) {
      this.send({ type: 'command_started', replyTo: m.id, commandId: m.commandId });
    } else if (m.type === 'run_command') {
      this.send({ type: 'command_started', replyTo: m.id, commandId: m.commandId });
      this.send({ type: 'command_output', commandId: m.commandId, stream: 'stdout', seq: 0, data: 'done\n' });
      this.send({
        type: 'command_exit',
        commandId: m.commandId,
        exitCode: 0,
        signal: null,
        timedOut: false,
        cancelled: false,
        truncated: false,
        durationMs: 1,
      });
    } else if (m.type === 'remotehelp_status') {
      this.send({
        type: 'remotehelp_state',
        replyTo: m.id,
        installed: true,
        version: '2.0.35.0',
        internet_ok: true,
        interactive_session: true,
      });
    } else if (m.type === 'remotehelp_start') {
      this.send({ type: 'remotehelp_started', replyTo: m.id, launched: true, pid: 7412, note: 'Steps.' });
    } else if (m.type === 'remotehelp_stop') {
      this.send({ type: 'remotehelp_stopped', replyTo: m.id, stopped: true });
    } else if (m.type === 'winget_install') {
      this.send({
        type: 'winget_install_started',
        replyTo: m.id,
        packageId: m.packageId,
        pid: 8120,
        note: 'Installing.',
      });
    }
  }
}
