import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Observable, ReplaySubject, Subject, filter } from 'rxjs';
import type {
  AckMessage,
  AgentStatusMessage,
  AgentToPortalMessage,
  ChannelOpenedMessage,
  ChatMessageMessage,
  CommandExitMessage,
  CommandOutputMessage,
  ErrorMessage,
  ConsentContext,
  HelloMessage,
  RemoteHelpStartedMessage,
  RemoteHelpStateMessage,
  RemoteHelpStoppedMessage,
  RunCommandMessage,
  WingetInstallStartedMessage,
} from '../../contracts/agent-protocol/control-messages';
import type { ChannelKind } from '../../contracts/agent-protocol/enums';
import { ControlCloseCode } from '../../contracts/agent-protocol/connection';
import type { AgentConnection } from './agent-connection';
import { agentControlErrors as errors } from './agent-control.errors';

/** Events the agent sends on its own, plus connects and disconnects, for remote sessions and the dashboard. */
export type AgentControlEvent =
  | { type: 'agent.connected'; deviceId: string; hello: HelloMessage }
  | { type: 'agent.disconnected'; deviceId: string; code: number }
  | {
      type: 'agent.message';
      deviceId: string;
      message: Extract<
        AgentToPortalMessage,
        {
          type:
            | 'channel_closed'
            | 'command_output'
            | 'command_exit'
            | 'agent_status'
            | 'goodbye'
            | 'consent'
            | 'chat_reply'
            | 'file_activity'
            | 'error';
        }
      >;
    };

export interface OpenChannelRequest {
  sessionId: string;
  channel: ChannelKind;
  /** The relay's base URL (ws:// or wss://). */
  relayUrl: string;
  /** The agent-side relay token. Never logged. */
  token: string;
  /** Shown to the customer in the agent's status line. */
  technician?: string;
  /** Protocol 1.2: what the consent prompt says (sent only to agents that read it). */
  consent?: ConsentContext;
  /** Protocol 1.3, screen only: show this one monitor (sent only to agents that read it). */
  monitor?: number;
}

/** What the device said about a channel it opened (1.3, screen: its monitors and the one shown). */
export type OpenedChannel = Pick<ChannelOpenedMessage, 'monitors' | 'monitor'>;

export type RunCommandRequest = Omit<RunCommandMessage, 'type' | 'id' | 'commandId'> & { commandId?: string };

export type CommandEvent = CommandOutputMessage | CommandExitMessage;

export interface RunningCommand {
  commandId: string;
  /** Output in order, then the exit; completes after `command_exit`. */
  output: Observable<CommandEvent>;
}

/** What the portal knows about a connected agent. */
export interface AgentPresence {
  deviceId: string;
  connectedAt: Date;
  agentVersion: string;
  protocolVersion: string;
  mode: HelloMessage['mode'];
  capabilities: string[];
  killSwitch: boolean;
}

const REQUEST_TIMEOUT_MS = 20_000;
/**
 * Opening a channel includes the agent dialling the relay (and maybe starting a VNC server); with a
 * consent prompt, also the time the person at the device has to answer (`consent.timeoutSec`).
 */
const OPEN_CHANNEL_TIMEOUT_MS = 75_000;
/** Remote help asks Windows (PowerShell, Task Scheduler) and waits for the program to appear. */
const REMOTE_HELP_TIMEOUT_MS = 45_000;

/**
 * The portal's handle on connected agents (docs/protocol.md). Remote sessions call it to open and close
 * channels, run commands and end sessions; every answer was validated by the gateway first.
 */
@Injectable()
export class AgentControlService {
  private readonly logger = new Logger(AgentControlService.name);
  private readonly connections = new Map<string, AgentConnection>();
  private readonly subject = new Subject<AgentControlEvent>();

  get events(): Observable<AgentControlEvent> {
    return this.subject.asObservable();
  }

  /** Output and the exit of one command, in order. */
  commandEvents(deviceId: string, commandId: string): Observable<AgentControlEvent> {
    return this.events.pipe(
      filter(
        (e) =>
          e.type === 'agent.message' &&
          e.deviceId === deviceId &&
          (e.message.type === 'command_output' || e.message.type === 'command_exit') &&
          e.message.commandId === commandId,
      ),
    );
  }

  isConnected(deviceId: string): boolean {
    return this.connections.get(deviceId)?.hello !== undefined;
  }

  presence(deviceId: string): AgentPresence | undefined {
    const c = this.connections.get(deviceId);
    if (!c?.hello) return undefined;
    const { agentVersion, protocolVersion, mode, capabilities } = c.hello;
    return {
      deviceId,
      connectedAt: c.connectedAt,
      agentVersion,
      protocolVersion,
      mode,
      capabilities: [...capabilities],
      killSwitch: c.killSwitch,
    };
  }

  /** Resolves once the agent has dialled the relay for this channel; rejects with an AgentControlError. */
  async openChannel(deviceId: string, request: OpenChannelRequest): Promise<OpenedChannel> {
    const opened = await this.connection(deviceId).request(
      { type: 'open_channel', ...request },
      'channel_opened',
      OPEN_CHANNEL_TIMEOUT_MS + (request.consent?.timeoutSec ?? 0) * 1000,
    );
    return {
      ...(opened.monitors && { monitors: opened.monitors }),
      ...(opened.monitor !== undefined && { monitor: opened.monitor }),
    };
  }

  async closeChannel(
    deviceId: string,
    sessionId: string,
    channel?: ChannelKind,
    reason?: string,
  ): Promise<void> {
    const request = {
      type: 'close_channel' as const,
      sessionId,
      ...(channel && { channel }),
      ...(reason && { reason }),
    };
    await this.connection(deviceId).request(request, 'ack', REQUEST_TIMEOUT_MS);
  }

  /**
   * Starts a command. `output` replays everything the command printed from its start and completes
   * after its `command_exit` (so a fast command's output is never missed).
   */
  async runCommand(deviceId: string, request: RunCommandRequest): Promise<RunningCommand> {
    const commandId = request.commandId ?? randomUUID();
    const connection = this.connection(deviceId);
    const output = new ReplaySubject<CommandEvent>();
    const sub = this.commandEvents(deviceId, commandId).subscribe((event) => {
      if (
        event.type !== 'agent.message' ||
        (event.message.type !== 'command_output' && event.message.type !== 'command_exit')
      )
        return;
      output.next(event.message);
      if (event.message.type === 'command_exit') {
        output.complete();
        sub.unsubscribe();
      }
    });
    try {
      await connection.request(
        { ...request, type: 'run_command', commandId },
        'command_started',
        REQUEST_TIMEOUT_MS + (request.consent?.timeoutSec ?? 0) * 1000,
      );
    } catch (err) {
      sub.unsubscribe();
      throw err;
    }
    return { commandId, output: output.asObservable() };
  }

  async cancelCommand(deviceId: string, commandId: string): Promise<void> {
    await this.connection(deviceId).request({ type: 'cancel_command', commandId }, 'ack', REQUEST_TIMEOUT_MS);
  }

  /**
   * Tells the agent the support session is over (quick-support agents remove themselves). Returns false
   * when the agent is not connected: it learns on its next connect, which the portal refuses (410).
   */
  async endSession(deviceId: string, reason: string): Promise<boolean> {
    const c = this.connections.get(deviceId);
    if (!c?.hello) return false;
    await c.request({ type: 'end_session', reason: reason.slice(0, 200) }, 'ack', REQUEST_TIMEOUT_MS);
    return true;
  }

  /**
   * A technician's chat message for the agent's console (protocol ≥ 1.3, see CHAT_SINCE; the caller
   * checks). Resolves once the agent acknowledged it.
   */
  async chatMessage(deviceId: string, message: Omit<ChatMessageMessage, 'type' | 'id'>): Promise<void> {
    await this.connection(deviceId).request({ type: 'chat_message', ...message }, 'ack', REQUEST_TIMEOUT_MS);
  }

  /** Answers an agent's event that asked for one (`chat_reply`): `ack` or `error`. Dropped when offline. */
  answer(deviceId: string, message: AckMessage | ErrorMessage): void {
    this.connections.get(deviceId)?.send(message);
  }

  async status(deviceId: string): Promise<AgentStatusMessage> {
    return this.connection(deviceId).request({ type: 'get_status' }, 'agent_status', REQUEST_TIMEOUT_MS);
  }

  /** Quick Assist readiness (read-only: answered even with the device's kill switch on). Protocol ≥ 1.1. */
  async remoteHelpStatus(deviceId: string): Promise<RemoteHelpStateMessage> {
    return this.connection(deviceId).request(
      { type: 'remotehelp_status' },
      'remotehelp_state',
      REMOTE_HELP_TIMEOUT_MS,
    );
  }

  /** Opens an allow-listed program (`quickassist.exe`) on the device's interactive desktop. Protocol ≥ 1.1. */
  async remoteHelpStart(deviceId: string, executable: string): Promise<RemoteHelpStartedMessage> {
    return this.connection(deviceId).request(
      { type: 'remotehelp_start', executable },
      'remotehelp_started',
      REMOTE_HELP_TIMEOUT_MS,
    );
  }

  async remoteHelpStop(deviceId: string, executable: string): Promise<RemoteHelpStoppedMessage> {
    return this.connection(deviceId).request(
      { type: 'remotehelp_stop', executable },
      'remotehelp_stopped',
      REMOTE_HELP_TIMEOUT_MS,
    );
  }

  /** Starts winget for an allow-listed package on the device's interactive desktop. Protocol ≥ 1.1. */
  async wingetInstall(deviceId: string, packageId: string): Promise<WingetInstallStartedMessage> {
    return this.connection(deviceId).request(
      { type: 'winget_install', packageId },
      'winget_install_started',
      REMOTE_HELP_TIMEOUT_MS,
    );
  }

  // ---- used by the gateway ----

  /** A newly authenticated connection; an older one for the same device is replaced (4409). */
  attach(connection: AgentConnection): void {
    const previous = this.connections.get(connection.deviceId);
    this.connections.set(connection.deviceId, connection);
    if (previous && previous !== connection) {
      this.logger.log(`Device ${connection.deviceId} reconnected; closing its previous control channel`);
      previous.failAll();
      previous.ws.close(ControlCloseCode.Replaced, 'replaced by a newer connection');
    }
  }

  /** True when `connection` was the device's current one (so the device is now offline). */
  detach(connection: AgentConnection, code: number): boolean {
    connection.failAll();
    if (this.connections.get(connection.deviceId) !== connection) return false;
    this.connections.delete(connection.deviceId);
    this.subject.next({ type: 'agent.disconnected', deviceId: connection.deviceId, code });
    return true;
  }

  publish(event: AgentControlEvent): void {
    this.subject.next(event);
  }

  /** Every live connection (shutdown closes them). */
  all(): AgentConnection[] {
    return [...this.connections.values()];
  }

  private connection(deviceId: string): AgentConnection {
    const c = this.connections.get(deviceId);
    if (!c?.hello || !c.isOpen) throw errors.offline();
    return c;
  }
}
