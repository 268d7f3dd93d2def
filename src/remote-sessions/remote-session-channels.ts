import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import {
  CLOSE_CHANNEL_RECONNECTING,
  type ConsentMessage,
} from '../../contracts/agent-protocol/control-messages';
import type { ChannelKind, ConsentPolicy, ShellProfile } from '../../contracts/agent-protocol/enums';
import {
  FILES_SINCE,
  MONITORS_SINCE,
  PLAIN_SHELL_SINCE,
  protocolAtLeast,
} from '../../contracts/agent-protocol/version';
import { ASK_AGAIN_LIMITS } from '../../contracts/api/remote-sessions';
import { cleanDisplayText } from '../../contracts/display-text';
import { AgentControlError } from '../agent-control/agent-control.errors';
import { AgentControlService } from '../agent-control/agent-control.service';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/auth-user';
import { AppConfig } from '../config/app-config';
import { RelayTokenService } from '../relay-link/relay-token.service';
import {
  applyConsent,
  askAgainBlock,
  opened,
  refused,
  requested,
  type ChannelRequestKind,
  type StoredChannelState,
} from './channel-states';
import type { RelayAccessDto } from './dto/remote-session.dto';
import type { RemoteSession } from './entities/remote-session.entity';
import { ConsentContexts } from './consent-context';
import { RemoteSessionEndingService } from './remote-session-ending.service';
import { RemoteSessionEvents } from './remote-session-events';
import { RemoteSessionQueries } from './remote-session.queries';
import { remoteSessionErrors as errors } from './remote-sessions.errors';

/** The most consent events one session takes from its device (a person answers a few per channel). */
export const CONSENT_EVENTS_PER_SESSION = 500;

/** Who asks the device to open channels, for the consent prompt and the audit trail. */
export interface ChannelRequester {
  actor: AuthUser;
  /** The device's consent policy (quick-support devices: always `ask`). */
  policy: ConsentPolicy;
}

/**
 * The channels of a remote session as the person at the device decides about them. Asking the
 * device to open a channel returns at once; the device then asks its person (consent, protocol 1.2)
 * and reports each step, which lands here: the channel's state (remote_sessions.channel_states), a
 * line in the audit trail, and `remote_session.updated` for the dashboard and the viewer. The viewer
 * dials a channel once its state is `open`.
 */
@Injectable()
export class RemoteSessionChannels implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RemoteSessionChannels.name);
  private readonly subs = new Subscription();
  /** Per session, the device's events and answers apply one after the other, in the order they came. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Consent events taken per session (bounded: see {@link CONSENT_EVENTS_PER_SESSION}). */
  private readonly taken = new Map<string, number>();

  constructor(
    private readonly prompts: ConsentContexts,
    private readonly agents: AgentControlService,
    private readonly relayTokens: RelayTokenService,
    private readonly audit: AuditService,
    private readonly queries: RemoteSessionQueries,
    private readonly ending: RemoteSessionEndingService,
    private readonly events: RemoteSessionEvents,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.subs.add(
      this.agents.events.subscribe((e) => {
        if (e.type === 'agent.message' && e.message.type === 'consent') {
          const message = e.message;
          this.inOrder(message.sessionId, () => this.onConsent(e.deviceId, message));
        }
      }),
    );
  }

  onModuleDestroy(): void {
    this.subs.unsubscribe();
  }

  /**
   * Mints the viewer's tokens and asks the device to open `channels` (all of the session's by
   * default); returns without waiting for the device, whose answers arrive as channel states.
   * `shellProfile` (protocol 1.3) goes with the shell channel only, and only when asked for (the
   * caller checks the agent's version: an older agent drops the field and starts the login shell).
   */
  async open(
    session: RemoteSession,
    by: ChannelRequester,
    kind: ChannelRequestKind,
    channels: string[] = session.channels,
    shellProfile?: ShellProfile,
  ): Promise<RelayAccessDto> {
    const minted = await this.relayTokens.mintSessionTokens(session.id, channels, session);
    if (kind === 'reconnect') {
      // Close what the agent may still hold of these channels (a previous viewer) before dialling
      // again; the session's other channels (a live screen beside a reopened shell) stay as they are.
      await Promise.all(
        channels.map((channel) =>
          this.agents
            .closeChannel(session.deviceId, session.id, channel as ChannelKind, CLOSE_CHANNEL_RECONNECTING)
            .catch((err: unknown) => {
              this.logger.debug(
                `No ${channel} to close before reconnecting session ${session.id}: ${String(err)}`,
              );
            }),
        ),
      );
    }
    const now = new Date();
    for (const channel of channels)
      await this.queries.updateChannelState(session.id, channel, (prev) => requested(prev, kind, now));
    await this.publish(session.id);
    const technician = cleanDisplayText(by.actor.displayName) || undefined;
    const consent = await this.prompts.for(session, by.actor, by.policy);
    const monitor = this.chosenMonitor(session);
    const presence = this.agents.presence(session.deviceId);
    for (const channel of channels) {
      // Only agents at 1.4 have a files channel (the files route checks first; this covers a device
      // whose agent was replaced by an older one while the session lasted).
      if (channel === 'files' && presence && !protocolAtLeast(presence.protocolVersion, FILES_SINCE)) {
        const outdated = errors.filesOutdated(presence.protocolVersion);
        this.inOrder(session.id, () => this.openFailed(session, channel, outdated));
        continue;
      }
      const request = {
        sessionId: session.id,
        channel: channel as ChannelKind,
        relayUrl: minted.url,
        token: minted.agent[channel] ?? '',
        ...(technician && { technician }),
        ...(consent && { consent }),
        ...(shellProfile && channel === 'shell' && { shellProfile }),
        ...(channel === 'screen' && monitor !== undefined && { monitor }),
      };
      this.agents.openChannel(session.deviceId, request).then(
        (report) =>
          this.inOrder(session.id, () =>
            this.settle(session.id, channel, (prev) => opened(prev, channel, new Date(), report)),
          ),
        (err: unknown) => this.inOrder(session.id, () => this.openFailed(session, channel, err)),
      );
    }
    return {
      url: minted.url,
      expiresAt: minted.expiresAt.toISOString(),
      tokens: channels.map((channel) => ({ channel, token: minted.tech[channel] ?? '' })),
      shellStartPatienceSec: this.config.shellStartPatienceSec,
    };
  }

  /**
   * The shell again, without the login profile (protocol 1.3): for a device whose profile hangs every
   * login shell, so the viewer's terminal stayed silent. The device replaces the hung shell with the
   * plain one, the shell alone (a live screen stays as it is); the person's "allow for this session"
   * covers it (a one-time allow is asked again). Recorded first, as a reconnect of the shell, or not
   * done at all (503).
   */
  async plainShell(session: RemoteSession, by: ChannelRequester): Promise<RelayAccessDto> {
    if (!session.channels.includes('shell')) throw errors.channelNotInSession();
    const presence = this.agents.presence(session.deviceId);
    if (presence && !protocolAtLeast(presence.protocolVersion, PLAIN_SHELL_SINCE))
      throw errors.plainShellOutdated(presence.protocolVersion);
    await this.audit.recordOrRefuse({
      actorType: 'user',
      actorId: by.actor.id,
      action: 'remote_session.reconnected',
      targetType: 'remote_session',
      targetId: session.id,
      details: { deviceId: session.deviceId, channels: ['shell'], shellProfile: 'plain' },
    });
    return this.open(session, by, 'reconnect', ['shell'], 'plain');
  }

  /**
   * The technician asks the person at the device again for one channel after a no: a new question,
   * at most {@link ASK_AGAIN_LIMITS.maxPerChannel} per channel, {@link ASK_AGAIN_LIMITS.minIntervalSec}
   * apart, so it cannot be used to nag. Recorded before the device is asked (503 otherwise).
   */
  async askAgain(session: RemoteSession, channel: string, by: ChannelRequester): Promise<RelayAccessDto> {
    if (!session.channels.includes(channel)) throw errors.channelNotInSession();
    const block = askAgainBlock(session.channelStates?.[channel], new Date());
    if (block === 'not_askable') throw errors.channelNotAskable();
    if (block === 'limit') throw errors.askAgainLimit(ASK_AGAIN_LIMITS.maxPerChannel);
    if (block instanceof Date)
      throw errors.askAgainTooSoon(Math.max(1, Math.ceil((block.getTime() - Date.now()) / 1000)));
    await this.audit.recordOrRefuse({
      actorType: 'user',
      actorId: by.actor.id,
      action: 'remote_session.consent_requested',
      targetType: 'remote_session',
      targetId: session.id,
      details: { deviceId: session.deviceId, channel },
    });
    return this.open(session, by, 'ask_again', [channel]);
  }

  /**
   * The technician chooses which of the device's monitors the screen shows (1.3): the screen alone is
   * opened again with it (the device replaces its screen channel; the shell is left alone), and every
   * later reconnect asks for it too (null: the whole desktop again). Only a monitor the device listed,
   * while the screen is open.
   */
  async selectMonitor(
    session: RemoteSession,
    monitor: number | null,
    by: ChannelRequester,
  ): Promise<RelayAccessDto> {
    if (!session.channels.includes('screen')) throw errors.channelNotInSession();
    const screen = session.channelStates?.screen;
    const monitors = screen?.monitors ?? [];
    if (screen?.state !== 'open' || monitors.length < 2 || (monitor ?? 0) >= monitors.length)
      throw errors.monitorUnavailable(monitors.length);
    await this.queries.updateChannelState(session.id, 'screen', (prev) =>
      prev ? { ...prev, monitor: monitor ?? undefined, updatedAt: new Date().toISOString() } : null,
    );
    const updated = (await this.queries.findRow(session.id)) ?? session;
    return this.open(updated, by, 'monitor', ['screen']);
  }

  /** The screen's chosen monitor, for an agent that reads it (1.3 or later). */
  private chosenMonitor(session: RemoteSession): number | undefined {
    const monitor = session.channelStates?.screen?.monitor;
    if (monitor === undefined) return undefined;
    const presence = this.agents.presence(session.deviceId);
    return presence && protocolAtLeast(presence.protocolVersion, MONITORS_SINCE) ? monitor : undefined;
  }

  private async openFailed(session: RemoteSession, channel: string, err: unknown): Promise<void> {
    // A newer request for the channel (a reconnect) took this one's place on the device.
    if (err instanceof AgentControlError && err.agentCode === 'duplicate') return;
    const consentDenied = err instanceof AgentControlError && err.agentCode === 'consent_denied';
    const message = err instanceof Error ? err.message : 'The channel could not be opened.';
    this.logger.log(`Session ${session.id}: the device did not open ${channel} (${message})`);
    await this.settle(session.id, channel, (prev) => refused(prev, consentDenied, message, new Date()));
    if (consentDenied) return;
    // Nothing can work if the device could open none of the channels (a no from its person can still
    // be asked again, so only failures count).
    const row = await this.queries.findRow(session.id);
    if (row && row.channels.every((c) => row.channelStates?.[c]?.state === 'failed'))
      await this.ending.end(session.id, 'channel_failed', { actorType: 'system' });
  }

  /**
   * A consent event from the device. It must be about a session open on that same device (an agent
   * cannot speak for another device's sessions) and one of its channels (or commands).
   */
  private async onConsent(deviceId: string, event: ConsentMessage): Promise<void> {
    const session = await this.queries.findRow(event.sessionId);
    if (!session || session.deviceId !== deviceId || session.status === 'ended') {
      this.logger.warn(`Device ${deviceId} reported consent for a session it does not hold`);
      return;
    }
    if (event.channel && event.channel !== 'commands' && !session.channels.includes(event.channel)) {
      this.logger.warn(
        `Device ${deviceId} reported consent for a channel session ${session.id} does not have`,
      );
      return;
    }
    if (!this.take(session.id)) return;
    await this.audit.recordOrDefer({
      actorType: CUSTOMER_EVENTS.has(event.event) ? 'customer' : 'agent',
      actorId: deviceId,
      action: 'remote_session.consent',
      targetType: 'remote_session',
      targetId: session.id,
      details: {
        deviceId,
        technicianId: session.technicianId,
        ...(event.channel && { channel: event.channel }),
        event: event.event,
        policy: event.policy,
        ...(event.scope && { scope: event.scope }),
        ...(event.mode && { mode: event.mode }),
        ...(event.promptId && { promptId: event.promptId }),
      },
    });
    if (event.event === 'ended_locally') {
      await this.ending.end(session.id, 'ended_on_device', { actorType: 'customer', actorId: deviceId });
      return;
    }
    if (event.channel)
      await this.settle(session.id, event.channel, (prev) => applyConsent(prev, event, new Date()));
  }

  private async settle(
    sessionId: string,
    channel: string,
    change: (prev: StoredChannelState | undefined) => StoredChannelState | null,
  ): Promise<void> {
    if (await this.queries.updateChannelState(sessionId, channel, change)) await this.publish(sessionId);
  }

  private async publish(sessionId: string): Promise<void> {
    this.events.publish({ type: 'remote_session.updated', session: await this.queries.dto(sessionId) });
  }

  /**
   * Whether one more consent event of this session is taken. A device reports a handful per channel
   * and question; past {@link CONSENT_EVENTS_PER_SESSION} it is flooding the trail, and the rest are
   * dropped (logged once).
   */
  private take(sessionId: string): boolean {
    const count = (this.taken.get(sessionId) ?? 0) + 1;
    if (!this.taken.has(sessionId) && this.taken.size >= 10_000) {
      const oldest = this.taken.keys().next().value;
      if (oldest !== undefined) this.taken.delete(oldest);
    }
    this.taken.set(sessionId, count);
    if (count === CONSENT_EVENTS_PER_SESSION + 1)
      this.logger.warn(
        `Session ${sessionId}: more than ${CONSENT_EVENTS_PER_SESSION} consent events; the rest are dropped`,
      );
    return count <= CONSENT_EVENTS_PER_SESSION;
  }

  /** Resolves once everything received so far for the session has been applied (tests, shutdown). */
  settled(sessionId: string): Promise<void> {
    return this.queues.get(sessionId) ?? Promise.resolve();
  }

  private inOrder(sessionId: string, task: () => Promise<void>): void {
    const next = (this.queues.get(sessionId) ?? Promise.resolve())
      .then(task)
      .catch((err: unknown) =>
        this.logger.error(`Channel state update failed: ${err instanceof Error ? err.message : String(err)}`),
      );
    this.queues.set(sessionId, next);
    void next.then(() => {
      if (this.queues.get(sessionId) === next) this.queues.delete(sessionId);
    });
  }
}

/** Consent events that are the person at the device's own doing (the rest: the device or its policy). */
const CUSTOMER_EVENTS = new Set<ConsentMessage['event']>([
  'allowed',
  'allowed_view_only',
  'denied',
  'revoked',
  'mode_changed',
  'ended_locally',
]);
