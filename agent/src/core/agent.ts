import {
  CLOSE_CHANNEL_RECONNECTING,
  type AgentToPortalMessage,
  type PortalToAgentMessage,
} from '../../../contracts/agent-protocol/control-messages';
import type {
  AgentMode,
  ChannelKind,
  GoodbyeReason,
  ScreenMode,
} from '../../../contracts/agent-protocol/enums';
import type { RegisterResponse } from '../../../contracts/agent-protocol/registration';
import {
  CHAT_SINCE,
  CONSENT_SINCE,
  FILES_SINCE,
  PROTOCOL_VERSION,
  protocolAtLeast,
} from '../../../contracts/agent-protocol/version';
import { RelayCloseCode } from '../../../contracts/relay-close-codes';
import type { ChannelFactory } from '../channels/channel-manager';
import { ChannelManager } from '../channels/channel-manager';
import { openCommandsChannel } from '../channels/commands-channel';
import { openScreenChannel } from '../channels/screen-channel';
import { openShellChannel } from '../channels/shell-channel';
import type { X11VncLauncher } from '../channels/vnc-launcher';
import type { ChatConsole } from '../chat/chat-console';
import { openFilesChannel, type FileActivity } from '../files/files-channel';
import { filesConfig, type FilesConfig } from '../files/files-config';
import { PartialStore } from '../files/partials';
import { ConsentManager, type ConsentManagerOptions } from '../consent/consent-manager';
import type { Indicator, IndicatorActions, IndicatorCapability } from '../consent/consent-types';
import type { PlatformAdapter } from '../platform/platform';
import { RemoteHelpHandler, defaultRemoteHelpBackend } from '../remote-help/remote-help';
import type { RemoteHelpBackend } from '../remote-help/remote-help-backend';
import { AGENT_VERSION } from '../version';
import { ActionGate, type ConsentHook } from './action-gate';
import { CommandRunner } from './command-runner';
import { ControlClient, type ControlState } from './control-client';
import type { FileTracker } from './file-tracker';
import type { KillSwitch } from './kill-switch';
import { safe, type AgentLogger } from './logger';
import type { StatusLine } from './status-line';

export interface AgentOptions {
  mode: AgentMode;
  device: RegisterResponse;
  platform: PlatformAdapter;
  logger: AgentLogger;
  killSwitch: KillSwitch;
  /**
   * How the person at the device is asked (consent/consent-manager.ts). Tests that are not about
   * consent pass a plain hook instead; with neither, only the kill switch applies.
   */
  asking?: Omit<ConsentManagerOptions, 'mode' | 'report'>;
  consent?: ConsentHook;
  /** The always-visible indicator (consent/indicator*.ts); the status line stays beside it. */
  indicator?: Indicator;
  /** The customer's status line (quick-support). */
  status?: StatusLine;
  /** The chat in the console (quick-support): technician messages printed, replies sent (protocol 1.3). */
  chat?: ChatConsole;
  /** Where the screen is; `launcher` when the agent may start x11vnc itself. */
  vnc: { host: string; port: number; launcher?: X11VncLauncher };
  /** Files to delete when a quick-support agent ends. */
  files: FileTracker;
  /** The files channel's limits (agent.json / FILES_MAX_UPLOAD_MB); default: the environment's. */
  filesConfig?: FilesConfig;
  /** Quick Assist on this OS; default: the real one on Windows, none elsewhere (tests inject a fake). */
  remoteHelp?: RemoteHelpBackend | null;
  maxLifetimeMs?: number;
  /** Called once with the process exit code when the agent has finished. */
  onExit: (code: number) => void;
}

/** What the technician's viewer reads when the person at the device takes a channel back. */
const STOPPED_SENTENCES: Record<ChannelKind, string> = {
  screen: 'The person at the device stopped sharing the screen.',
  shell: 'The person at the device closed the terminal.',
  commands: 'The person at the device stopped remote commands.',
  files: 'The person at the device stopped file transfer.',
};

/**
 * The agent core: wires the control channel, the gate, the channels and the command runner together,
 * answers the portal's requests, and ends cleanly (goodbye, channels closed, files removed).
 */
export class Agent implements IndicatorActions {
  readonly gate: ActionGate;
  readonly consent: ConsentManager | undefined;
  private readonly control: ControlClient;
  private readonly channels: ChannelManager;
  private readonly commands: CommandRunner;
  private readonly remoteHelp: RemoteHelpHandler;
  private readonly startedAt = Date.now();
  private connection: ControlState = 'connecting';
  private ending: Promise<void> | undefined;
  private lifetimeTimer: NodeJS.Timeout | undefined;
  /** The portal's protocol version (hello_ack): consent events go only to portals that read them. */
  private portalVersion = '1.0';
  /** When the first channel of the current stretch opened (the indicator's elapsed time). */
  private sharingSince: Date | undefined;
  private nextChatReply = 1;
  /** Uploads' temporary files, kept per session for a resume and deleted when it or the agent ends. */
  private readonly partials: PartialStore;

  constructor(private readonly options: AgentOptions) {
    const { platform, logger, killSwitch } = options;
    this.consent = options.asking
      ? new ConsentManager({
          ...options.asking,
          mode: options.mode,
          report: (m) => {
            if (protocolAtLeast(this.portalVersion, CONSENT_SINCE)) this.send(m);
          },
        })
      : undefined;
    this.gate = new ActionGate(killSwitch, this.consent?.hook ?? options.consent);
    const cwd = platform.invokingUserHome();
    this.partials = new PartialStore(logger);
    this.commands = new CommandRunner({
      shell: platform.commandShell,
      killTree: platform.killTree,
      cwd,
      logger,
    });
    this.remoteHelp = new RemoteHelpHandler({
      os: platform.os,
      backend:
        options.remoteHelp === undefined ? defaultRemoteHelpBackend(platform.os, logger) : options.remoteHelp,
      gate: this.gate,
      logger,
    });
    this.channels = new ChannelManager({
      factories: this.channelFactories(cwd),
      gate: this.gate,
      logger,
      onClosed: (ref, end) =>
        this.send({ type: 'channel_closed', ...ref, closeCode: end.code, reason: safe(end.reason, 200) }),
      onChange: () => this.reportStatus(),
    });
    this.control = new ControlClient({
      controlUrl: options.device.controlUrl,
      deviceId: options.device.deviceId,
      credential: options.device.deviceCredential,
      hello: () => ({
        protocolVersion: PROTOCOL_VERSION,
        agentVersion: AGENT_VERSION,
        mode: options.mode,
        capabilities: platform.capabilities(),
        killSwitch: killSwitch.on,
      }),
      onMessage: (m) => this.handle(m),
      onPortalVersion: (version) => (this.portalVersion = version),
      onState: (state) => {
        this.connection = state;
        this.refreshStatusLine();
      },
      onRejected: (reason) => {
        logger.warn(reason);
        void this.end(options.mode === 'quick' ? 'session_ended' : 'shutdown', 1);
      },
      logger,
      uptimeSec: () => this.uptimeSec(),
    });
    killSwitch.onChange((on) => this.killSwitchChanged(on));
    options.chat?.attach((body) => this.chatReply(body));
  }

  start(): void {
    this.refreshStatusLine();
    this.control.start();
    if (this.options.maxLifetimeMs) {
      this.lifetimeTimer = setTimeout(() => void this.end('max_lifetime'), this.options.maxLifetimeMs);
      this.lifetimeTimer.unref();
    }
  }

  /** Ends the agent: tell the portal, close channels, stop helpers, delete files (quick-support), exit. */
  end(reason: GoodbyeReason, exitCode = 0): Promise<void> {
    this.ending ??= this.shutdown(reason, exitCode);
    return this.ending;
  }

  private async shutdown(reason: GoodbyeReason, exitCode: number): Promise<void> {
    const { logger, mode } = this.options;
    clearTimeout(this.lifetimeTimer);
    this.connection = 'stopped';
    this.options.status?.update({
      connection: 'ending',
      channels: [],
      killSwitch: this.options.killSwitch.on,
    });
    logger.info(`ending (${reason})`);
    // Sharing stops on the device first (questions withdrawn, commands cancelled, channels closed);
    // only then is the portal told, so nothing goes on if it cannot be reached.
    const sessions = this.sessionsInUse();
    this.consent?.withdrawAll();
    this.commands.cancelAll();
    await this.channels.closeAll(RelayCloseCode.EndedOnDevice, 'The session was ended on the remote device.');
    this.options.indicator?.close();
    this.options.chat?.close();
    if (reason === 'user_exit') this.consent?.endedLocally(sessions);
    await this.commands.drain();
    await this.options.vnc.launcher?.stop();
    await this.control.stop({ type: 'goodbye', reason });
    await this.partials.discardAll();
    if (mode === 'quick') {
      const left = await this.options.files.removeAll();
      if (left.length > 0) logger.warn(`${left.length} file(s) could not be removed`);
    }
    this.options.onExit(exitCode);
  }

  private handle(message: PortalToAgentMessage): void {
    switch (message.type) {
      case 'open_channel':
        void this.channels.openChannel(message).then((result) => {
          if (result.ok)
            this.send({
              type: 'channel_opened',
              replyTo: message.id,
              sessionId: message.sessionId,
              channel: message.channel,
              ...result.opened,
            });
          else this.send({ type: 'error', replyTo: message.id, code: result.code, message: result.message });
        });
        return;
      case 'close_channel': {
        const reason = message.reason ?? 'The technician ended the session.';
        const closed = this.channels.close(
          message.sessionId,
          message.channel,
          RelayCloseCode.EndedByTechnician,
          reason,
        );
        // Closed for good (not to be opened again by a reconnecting viewer): the session's upload
        // partials can no longer be resumed. A reconnect keeps them for the new channel.
        if (message.reason !== CLOSE_CHANNEL_RECONNECTING && (message.channel ?? 'files') === 'files')
          void this.partials.discardSession(message.sessionId);
        this.send(
          closed > 0
            ? { type: 'ack', replyTo: message.id }
            : { type: 'error', replyTo: message.id, code: 'not_found', message: 'No such channel is open.' },
        );
        return;
      }
      case 'run_command':
        void this.gate
          .check({
            action: 'run_command',
            ...(message.sessionId && { sessionId: message.sessionId }),
            ...(message.consent && { consent: message.consent, requestedBy: message.consent.technician }),
          })
          .then((decision) => {
            if (!decision.allowed)
              return this.send({
                type: 'error',
                replyTo: message.id,
                code: decision.code,
                message: decision.message,
              });
            const started = this.commands.start(message, (m) => this.send(m));
            if (!started.ok)
              return this.send({
                type: 'error',
                replyTo: message.id,
                code: started.code,
                message: started.message,
              });
            this.send({ type: 'command_started', replyTo: message.id, commandId: message.commandId });
          });
        return;
      case 'cancel_command':
        this.send(
          this.commands.cancel(message.commandId)
            ? { type: 'ack', replyTo: message.id }
            : {
                type: 'error',
                replyTo: message.id,
                code: 'not_found',
                message: 'No such command is running.',
              },
        );
        return;
      case 'end_session':
        this.send({ type: 'ack', replyTo: message.id });
        if (this.options.mode === 'quick') {
          void this.end('session_ended');
        } else {
          this.consent?.withdrawAll();
          this.commands.cancelAll();
          void this.channels
            .closeAll(RelayCloseCode.EndedByTechnician, 'The technician ended the session.')
            .then(() => this.partials.discardAll());
        }
        return;
      case 'get_status':
        this.send({ ...this.statusMessage(), replyTo: message.id });
        return;
      case 'remotehelp_status':
      case 'remotehelp_start':
      case 'remotehelp_stop':
      case 'winget_install':
        void this.remoteHelp.handle(message).then((answer) => this.send(answer));
        return;
      case 'chat_message':
        this.send({ type: 'ack', replyTo: message.id });
        this.options.chat?.show(message);
        return;
      case 'ack':
        // The portal stored a chat reply; nothing else is acknowledged to the agent.
        this.options.chat?.delivered(message.replyTo);
        return;
      case 'error':
        if (message.replyTo !== undefined && this.options.chat?.refused(message.replyTo, message.message))
          return;
        this.options.logger.warn(`portal error ${message.code}: ${safe(message.message)}`);
        return;
      case 'hello_ack':
      case 'heartbeat_ack':
        return;
    }
  }

  private channelFactories(cwd: string): Partial<Record<ChannelKind, ChannelFactory>> {
    const { platform, vnc, logger } = this.options;
    const limits = this.options.filesConfig ?? filesConfig({}, process.env, (line) => logger.warn(line));
    const caps = platform.capabilities();
    const pty = platform.pty;
    return {
      screen: (ctx) =>
        openScreenChannel(ctx, {
          target: { host: vnc.host, port: vnc.port },
          launcher: vnc.launcher,
        }),
      ...(pty &&
        caps.includes('shell') && {
          shell: (ctx) =>
            openShellChannel(ctx, {
              pty,
              shell: platform.loginShell(),
              cwd,
              env: this.shellEnv(),
              killTree: platform.killTree,
            }),
        }),
      commands: (ctx) => openCommandsChannel(ctx, this.commands, this.gate),
      files: (ctx) =>
        openFilesChannel(ctx, {
          os: platform.os,
          home: cwd,
          config: limits,
          partials: this.partials,
          // Every operation passes the gate again (the kill switch; the channel's consent covers it).
          refusal: async () => {
            const decision = await this.gate.check({
              action: 'files',
              sessionId: ctx.ref.sessionId,
              coveredByChannel: true,
            });
            return decision.allowed ? undefined : decision.message;
          },
          report: (activity) => this.fileActivity(ctx.ref.sessionId, activity),
        }),
    };
  }

  /** A quick-support agent leaves nothing behind, not even the technician's shell history. */
  private shellEnv(): NodeJS.ProcessEnv {
    return this.options.mode === 'quick' ? { ...process.env, HISTFILE: '/dev/null' } : process.env;
  }

  /** End now (the indicator's button): the same as Ctrl-C. */
  endNow(): void {
    void this.end('user_exit');
  }

  /** The person at the device takes one channel back; the session goes on. */
  stopChannel(channel: ChannelKind): void {
    const sessions = this.channels
      .views()
      .filter((c) => c.channel === channel)
      .map((c) => c.sessionId);
    if (channel === 'commands') this.commands.cancelAll();
    for (const sessionId of sessions) {
      this.channels.close(sessionId, channel, RelayCloseCode.EndedOnDevice, STOPPED_SENTENCES[channel]);
      this.consent?.revoked(sessionId, channel);
    }
  }

  /** The person at the device switches the screen between control and view-only. */
  setScreenMode(mode: ScreenMode): void {
    for (const sessionId of this.channels.setScreenMode(mode)) this.consent?.modeChanged(sessionId, mode);
  }

  /** Sessions with an open channel or a question showing. */
  private sessionsInUse(): string[] {
    return [...this.channels.list().map((c) => c.sessionId), ...(this.consent?.sessionsAsking() ?? [])];
  }

  private killSwitchChanged(on: boolean): void {
    this.options.logger.info(`kill switch ${on ? 'on' : 'off'}`);
    if (on) {
      // Everything stops on the device first; then each channel is reported as switched off there
      // (the sessions go on: K again allows remote control, and the technician may ask again).
      const open = this.channels.list();
      this.consent?.withdrawAll();
      this.commands.cancelAll();
      void this.channels
        .closeAll(RelayCloseCode.EndedOnDevice, 'Remote control was switched off on the device.')
        .then(() => {
          for (const ref of open) this.consent?.revoked(ref.sessionId, ref.channel);
        });
    }
    this.reportStatus();
  }

  private statusMessage(): Extract<AgentToPortalMessage, { type: 'agent_status' }> {
    return {
      type: 'agent_status',
      killSwitch: this.options.killSwitch.on,
      channels: this.channels.list(),
      commandsRunning: this.commands.count,
      uptimeSec: this.uptimeSec(),
    };
  }

  private reportStatus(): void {
    this.send(this.statusMessage());
    this.refreshStatusLine();
  }

  private refreshStatusLine(): void {
    this.refreshIndicator();
    const status = this.options.status;
    if (!status || this.connection === 'stopped') return;
    status.update({
      connection: this.connection,
      technician: this.channels.technician(),
      channels: [...new Set(this.channels.list().map((c) => c.channel))],
      killSwitch: this.options.killSwitch.on,
    });
  }

  private refreshIndicator(): void {
    const indicator = this.options.indicator;
    if (!indicator || this.connection === 'stopped') return;
    const open = this.channels.views();
    const capabilities = new Set<IndicatorCapability>();
    for (const c of open) {
      if (c.channel === 'screen') {
        capabilities.add('view');
        if (c.mode !== 'view_only') capabilities.add('control');
      } else
        capabilities.add(c.channel === 'shell' ? 'terminal' : c.channel === 'files' ? 'files' : 'commands');
    }
    if (capabilities.size === 0) this.sharingSince = undefined;
    else this.sharingSince ??= new Date();
    indicator.show({
      technician: this.channels.technician() ?? 'A technician',
      organisation: this.channels.organisation() ?? this.options.asking?.organisation ?? 'Remote support',
      capabilities: [...capabilities],
      since: this.sharingSince ?? new Date(),
    });
  }

  /** A finished file operation, for the audit trail of portals that read it (protocol 1.4). */
  private fileActivity(sessionId: string, activity: FileActivity): void {
    if (protocolAtLeast(this.portalVersion, FILES_SINCE))
      this.send({ type: 'file_activity', sessionId, ...activity });
  }

  /** A chat reply typed in the console; its id, or null when the portal cannot take it now. */
  private chatReply(body: string): string | null {
    if (!protocolAtLeast(this.portalVersion, CHAT_SINCE)) return null;
    const id = `cr-${this.nextChatReply++}`;
    return this.control.send({ type: 'chat_reply', id, body }) ? id : null;
  }

  private send(message: AgentToPortalMessage): void {
    this.control.send(message);
  }

  private uptimeSec(): number {
    return Math.floor((Date.now() - this.startedAt) / 1000);
  }
}
