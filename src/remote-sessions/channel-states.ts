import type { ConsentMessage, ScreenMonitor } from '../../contracts/agent-protocol/control-messages';
import type { ConsentPolicy, ScreenMode } from '../../contracts/agent-protocol/enums';
import {
  ASK_AGAIN_LIMITS,
  ASKABLE_CHANNEL_STATES,
  type ChannelState,
  type RemoteChannelStateView,
  type RemoteSessionStatus,
} from '../../contracts/api/remote-sessions';

/** One channel's state as stored in `remote_sessions.channel_states` (jsonb, keyed by channel). */
export interface StoredChannelState {
  state: ChannelState;
  mode?: ScreenMode;
  /** `asking`: when the question counts as a no (ISO). */
  deadline?: string;
  message?: string;
  policy?: ConsentPolicy;
  /** The question showing, or last answered: answers to any other question are ignored. */
  promptId?: string;
  /** How many times the portal asked the device to open this channel (start, reconnects, ask again). */
  requests: number;
  lastRequestAt?: string;
  updatedAt: string;
  /** Screen (1.3): the device's monitors, as its last `channel_opened` listed them. */
  monitors?: ScreenMonitor[];
  /** Screen (1.3): the monitor the technician chose (an index into `monitors`), sent on every open. */
  monitor?: number;
}
export type StoredChannelStates = Record<string, StoredChannelState>;

/** The sentences the technician reads for each refusal (the agent's own sentence, when it sent one, wins). */
export const CHANNEL_STATE_SENTENCES = {
  denied: 'The person at the device did not allow this.',
  timed_out: 'The person at the device did not answer in time.',
  unavailable: 'The device could not ask the person at it (no dialog and no terminal).',
  revoked: 'The person at the device switched this off.',
} as const;

export const isAskable = (state: ChannelState): boolean =>
  (ASKABLE_CHANNEL_STATES as readonly string[]).includes(state);

/** Why the portal asks the device to open a channel (`monitor`: the screen, to show another monitor). */
export type ChannelRequestKind = 'start' | 'ask_again' | 'reconnect' | 'monitor';

/**
 * The portal asked the device to open the channel. A start and an ask-again count towards the limit on
 * asking; a reconnect or a monitor choice does not (the device asks again only if the answer covered one connection).
 */
export function requested(
  prev: StoredChannelState | undefined,
  kind: ChannelRequestKind,
  now: Date,
): StoredChannelState {
  const counts = kind === 'start' || kind === 'ask_again';
  // A reconnect while the person is still being asked joins that question on the device: keep it
  // showing, with its deadline (a viewer's first load is such a reconnect).
  if (!counts && prev?.state === 'asking' && prev.deadline && Date.parse(prev.deadline) > now.getTime())
    return { ...prev, updatedAt: now.toISOString() };
  return {
    state: 'opening',
    ...(prev?.mode && { mode: prev.mode }),
    ...(prev?.policy && { policy: prev.policy }),
    ...(prev?.monitors && { monitors: prev.monitors }),
    ...(prev?.monitor !== undefined && { monitor: prev.monitor }),
    requests: (prev?.requests ?? 0) + (counts || !prev ? 1 : 0),
    ...((counts || prev?.lastRequestAt) && {
      lastRequestAt: counts ? now.toISOString() : prev?.lastRequestAt,
    }),
    updatedAt: now.toISOString(),
  };
}

/**
 * The device opened the channel (dialled the relay): open, in the mode it was allowed in. A screen
 * keeps what the device said of its monitors (1.3): the list, and the monitor it shows (none: the
 * whole desktop, also when a chosen monitor is gone).
 */
export function opened(
  prev: StoredChannelState | undefined,
  channel: string,
  now: Date,
  report: { monitors?: ScreenMonitor[]; monitor?: number } = {},
): StoredChannelState | null {
  if (prev && prev.state !== 'opening' && prev.state !== 'asking' && prev.state !== 'open') return null;
  return {
    ...(prev ?? { requests: 1 }),
    state: 'open',
    ...(channel === 'screen' && {
      mode: prev?.mode ?? 'control',
      monitors: report.monitors,
      monitor: report.monitors ? report.monitor : undefined,
    }),
    deadline: undefined,
    message: undefined,
    updatedAt: now.toISOString(),
  };
}

/** The device refused or failed to open it: a consent refusal keeps what the consent event said. */
export function refused(
  prev: StoredChannelState | undefined,
  consentDenied: boolean,
  message: string,
  now: Date,
): StoredChannelState | null {
  if (prev && prev.state !== 'opening' && prev.state !== 'asking') return null;
  return {
    ...(prev ?? { requests: 1 }),
    state: consentDenied ? 'denied' : 'failed',
    mode: undefined,
    deadline: undefined,
    message,
    updatedAt: now.toISOString(),
  };
}

/**
 * What a consent event from the device does to the channel's state; null when it changes nothing (an
 * answer to a question other than the one showing, a mode change on a closed channel).
 */
export function applyConsent(
  prev: StoredChannelState | undefined,
  event: ConsentMessage,
  now: Date,
): StoredChannelState | null {
  const base: StoredChannelState = {
    ...(prev ?? { state: 'opening', requests: 1 }),
    policy: event.policy,
    updatedAt: now.toISOString(),
  };
  const answersAnother =
    event.promptId !== undefined && prev?.promptId !== undefined && prev.promptId !== event.promptId;
  switch (event.event) {
    case 'asked':
      return {
        ...base,
        state: 'asking',
        promptId: event.promptId,
        deadline: new Date(now.getTime() + (event.expiresInSec ?? 30) * 1000).toISOString(),
        message: undefined,
      };
    case 'allowed':
    case 'allowed_view_only':
    case 'not_asked':
      if (answersAnother) return null;
      return {
        ...base,
        state: 'open',
        mode:
          event.channel === 'screen'
            ? (event.mode ?? (event.event === 'allowed_view_only' ? 'view_only' : 'control'))
            : undefined,
        deadline: undefined,
        message: undefined,
      };
    case 'denied':
    case 'timed_out':
    case 'unavailable':
      if (answersAnother) return null;
      return {
        ...base,
        state: event.event,
        mode: undefined,
        deadline: undefined,
        message: CHANNEL_STATE_SENTENCES[event.event],
      };
    case 'revoked':
      return {
        ...base,
        state: 'revoked',
        mode: undefined,
        deadline: undefined,
        message: CHANNEL_STATE_SENTENCES.revoked,
      };
    case 'mode_changed':
      if (prev?.state !== 'open' || !event.mode) return null;
      return { ...base, mode: event.mode };
    case 'ended_locally':
      return null;
  }
}

/**
 * Whether the technician may ask again now: only after a no (or a failure), at most
 * {@link ASK_AGAIN_LIMITS.maxPerChannel} times per channel, {@link ASK_AGAIN_LIMITS.minIntervalSec} apart.
 * Answers the time before which it is refused, `'never'`, `'not_askable'`, or null (allowed).
 */
export function askAgainBlock(
  stored: StoredChannelState | undefined,
  now: Date,
): null | 'not_askable' | 'limit' | Date {
  if (!stored || !isAskable(stored.state)) return 'not_askable';
  if (stored.requests >= ASK_AGAIN_LIMITS.maxPerChannel) return 'limit';
  if (stored.lastRequestAt) {
    const next = new Date(Date.parse(stored.lastRequestAt) + ASK_AGAIN_LIMITS.minIntervalSec * 1000);
    if (next > now) return next;
  }
  return null;
}

/** The channels' states as the dashboard reads them, in the session's channel order. */
export function channelStateViews(
  row: {
    channels: string[];
    channelStates: StoredChannelStates | null;
    status: RemoteSessionStatus;
    startedAt: Date;
  },
  now = new Date(),
): RemoteChannelStateView[] {
  return row.channels.map((channel) => {
    const stored = row.channelStates?.[channel];
    if (!stored) {
      // Rows from before channel states were kept.
      return {
        channel,
        state: row.status === 'active' ? 'open' : 'opening',
        mode: null,
        deadline: null,
        message: null,
        policy: null,
        asks: 0,
        askAgainAt: null,
        updatedAt: row.startedAt.toISOString(),
        monitors: null,
        monitor: null,
      };
    }
    const block = row.status === 'ended' ? 'not_askable' : askAgainBlock(stored, now);
    return {
      channel,
      state: stored.state,
      mode: stored.mode ?? null,
      deadline: stored.deadline ?? null,
      message: stored.message ?? null,
      policy: stored.policy ?? null,
      asks: stored.requests,
      askAgainAt: block instanceof Date ? block.toISOString() : null,
      updatedAt: stored.updatedAt,
      monitors: stored.monitors && stored.monitors.length > 0 ? stored.monitors : null,
      monitor: stored.monitors && stored.monitor !== undefined ? stored.monitor : null,
    };
  });
}
