/*
 * Each channel's state (consent, mode, refusals) in words for the technician's viewer, its countdowns,
 * whether it may be asked again, and how two copies of a session that crossed are combined. The shapes
 * are the portal's own (contracts/api/remote-sessions.ts). Plain TypeScript without Angular, so a unit
 * test can import it.
 */
import {
  ASK_AGAIN_LIMITS,
  ASKABLE_CHANNEL_STATES,
  type ChannelState,
  type RemoteChannelStateView,
  type RemoteSessionStatus,
  type RemoteSessionView,
} from '../../../../contracts/api/remote-sessions';
import { cleanDisplayText } from '../../../../contracts/display-text';

/** How a channel is named in a sentence ("Waiting for the customer to allow: screen"). */
const CHANNEL_NAMES: Readonly<Record<string, string>> = {
  screen: 'screen',
  shell: 'terminal',
  commands: 'commands',
  files: 'files',
};

/** The channel's name with a capital, for the header's summary. */
const CHANNEL_TITLES: Readonly<Record<string, string>> = {
  screen: 'Screen',
  shell: 'Terminal',
  commands: 'Commands',
  files: 'Files',
};

/** Longest device sentence shown after "Could not open:" (it comes from the device: untrusted). */
export const DEVICE_MESSAGE_MAX = 300;

export function channelName(channel: string): string {
  return CHANNEL_NAMES[channel] ?? 'channel';
}

/**
 * Whole seconds from `now` until `iso` (rounded up, never below 0); null without a time or with one
 * that cannot be read.
 */
export function secondsUntil(iso: string | null, now: number): number | null {
  if (!iso) return null;
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** A sentence from the device, as one line of plain text of bounded length. */
export function deviceMessage(message: string | null): string {
  const clean = cleanDisplayText(message ?? '');
  if (!clean) return 'no reason was given';
  return clean.length > DEVICE_MESSAGE_MAX ? `${clean.slice(0, DEVICE_MESSAGE_MAX - 1)}…` : clean;
}

/** The channel's state as the technician reads it ("Waiting for the customer to allow: screen — 24 s left"). */
export function channelStateSentence(view: RemoteChannelStateView, now: number): string {
  switch (view.state) {
    case 'opening':
      return `Asking the device to open the ${channelName(view.channel)}…`;
    case 'asking': {
      const left = secondsUntil(view.deadline, now);
      const waiting = `Waiting for the customer to allow: ${channelName(view.channel)}`;
      return left === null ? `${waiting}…` : `${waiting} — ${left} s left`;
    }
    case 'open':
      if (view.channel !== 'screen') return 'Allowed';
      return view.mode === 'view_only' ? 'Allowed — view only' : 'Allowed — control';
    case 'denied':
      return 'Denied by the customer';
    case 'timed_out':
      return 'The customer did not answer in time';
    case 'unavailable':
      return 'The device could not ask anyone';
    case 'revoked':
      return 'Switched off on the device';
    case 'failed':
      return `Could not open: ${deviceMessage(view.message)}`;
  }
}

/** A few words per state for the viewer's header ("Screen: waiting, 24 s"). */
const SHORT_STATES: Readonly<Record<ChannelState, string>> = {
  opening: 'opening',
  asking: 'waiting',
  open: 'allowed',
  denied: 'denied',
  timed_out: 'no answer',
  unavailable: 'could not ask',
  revoked: 'switched off',
  failed: 'could not open',
};

/** Good, waiting or refused: how the header colours a channel. */
export type ChannelTone = 'success' | 'pending' | 'danger';

export interface ChannelSummary {
  channel: string;
  text: string;
  tone: ChannelTone;
}

/** One short line per channel for the viewer's header. */
export function channelSummary(view: RemoteChannelStateView, now: number): ChannelSummary {
  const title = CHANNEL_TITLES[view.channel] ?? 'Channel';
  let words = SHORT_STATES[view.state];
  if (view.state === 'open' && view.channel === 'screen')
    words = view.mode === 'view_only' ? 'view only' : 'control';
  if (view.state === 'asking') {
    const left = secondsUntil(view.deadline, now);
    if (left !== null) words = `${words}, ${left} s`;
  }
  const tone: ChannelTone =
    view.state === 'open'
      ? 'success'
      : view.state === 'opening' || view.state === 'asking'
        ? 'pending'
        : 'danger';
  return { channel: view.channel, text: `${title}: ${words}`, tone };
}

/** Whether (and when) the technician may ask the person at the device again for a channel. */
export type AskAgain =
  /** Nothing to ask: the channel is open, or being opened or asked. */
  | { kind: 'none' }
  /** Allowed now. */
  | { kind: 'ready' }
  /** Allowed in `seconds` (the portal spaces questions out). */
  | { kind: 'wait'; seconds: number }
  /** Asked as often as a session allows. */
  | { kind: 'limit'; sentence: string };

export function isAskable(state: ChannelState): boolean {
  return (ASKABLE_CHANNEL_STATES as readonly ChannelState[]).includes(state);
}

/** What the Ask again button does for a channel of a session in `status`, at `now`. */
export function askAgainAvailability(
  view: RemoteChannelStateView,
  status: RemoteSessionStatus,
  now: number,
): AskAgain {
  if (status === 'ended' || !isAskable(view.state)) return { kind: 'none' };
  if (view.asks >= ASK_AGAIN_LIMITS.maxPerChannel)
    return {
      kind: 'limit',
      sentence: `The customer was asked ${ASK_AGAIN_LIMITS.maxPerChannel} times for the ${channelName(view.channel)} in this session, so they cannot be asked again. Start a new session to ask once more.`,
    };
  const seconds = secondsUntil(view.askAgainAt, now);
  return seconds ? { kind: 'wait', seconds } : { kind: 'ready' };
}

const STATUS_RANK: Readonly<Record<RemoteSessionStatus, number>> = { pending: 0, active: 1, ended: 2 };

/**
 * Combines the session the viewer holds with a copy that arrived (an event, a response) in any
 * order: the session's status only moves forward, and each channel keeps the newer of its two
 * states (by the portal's `updatedAt`), so a late, older copy cannot undo a newer state.
 */
export function mergeViewerSession(
  current: RemoteSessionView | null,
  incoming: RemoteSessionView,
): RemoteSessionView {
  if (!current || current.id !== incoming.id) return incoming;
  const base = STATUS_RANK[incoming.status] >= STATUS_RANK[current.status] ? incoming : current;
  const held = new Map(current.channelStates.map((s) => [s.channel, s]));
  const channelStates = incoming.channelStates.map((next) => {
    const mine = held.get(next.channel);
    return mine && Date.parse(mine.updatedAt) > Date.parse(next.updatedAt) ? mine : next;
  });
  return { ...base, channelStates };
}

/** The channel's state in a session, or null when the session has no such channel. */
export function channelStateOf(
  session: RemoteSessionView | null,
  channel: string,
): RemoteChannelStateView | null {
  return session?.channelStates.find((s) => s.channel === channel) ?? null;
}
