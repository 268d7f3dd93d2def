import type { ChannelKind } from '../../../contracts/agent-protocol/enums';

/**
 * What the person at the device is asked before a channel carries a single byte, and what they can
 * answer. The question's names come from the portal (the technician's display name, the organisation's
 * brand name), never from free text a technician typed; the session's reason is shown, labelled as the
 * technician's own words.
 */
export interface ConsentQuestion {
  /** Random per question: an answer is bound to it (a late or replayed answer opens nothing). */
  promptId: string;
  sessionId: string;
  channel: ChannelKind;
  /** The technician's display name (already cleaned: one printable line). */
  technician: string;
  /** The organisation (the portal's brand name). */
  organisation: string;
  /** The reason the technician gave when starting the session, when there is one. */
  reason?: string;
  /** Unanswered after this long counts as `timeout` (a Deny). */
  timeoutMs: number;
  /** Aborted when the question no longer matters (session ended, kill switch, asked elsewhere and answered). */
  signal: AbortSignal;
}

/**
 * - `allow`: this connection of the channel only (a reconnect asks again);
 * - `allow_session`: the channel for the rest of the session (reconnects are not asked again);
 * - `view_only`: the screen, without mouse, keyboard or clipboard, for the rest of the session
 *   (only offered for `screen`);
 * - `deny`, `timeout`: nothing opens.
 */
export const CONSENT_ANSWERS = ['allow', 'allow_session', 'view_only', 'deny', 'timeout'] as const;
export type ConsentAnswer = (typeof CONSENT_ANSWERS)[number];

/**
 * One way of asking (a dialog on the desktop, the terminal the agent runs in). `unavailable` means this
 * way cannot ask at all (no display, the tool is missing or crashed): the next way is tried, and with
 * none left the channel is denied, never allowed.
 */
export interface ConsentPrompter {
  readonly name: string;
  ask(question: ConsentQuestion): Promise<ConsentAnswer | 'unavailable'>;
}

/** What the person at the device can see is happening while any channel is open. */
export type IndicatorCapability = 'view' | 'control' | 'terminal' | 'commands' | 'files';

export interface IndicatorState {
  technician: string;
  organisation: string;
  /** What the technician can do right now; empty = nothing open (the indicator hides). */
  capabilities: IndicatorCapability[];
  /** When the first channel of this stretch opened (elapsed time is counted from it). */
  since: Date;
}

/** What the person at the device can do from the indicator. */
export interface IndicatorActions {
  /** End now: stop sharing on the device first, then tell the portal. */
  endNow(): void;
  /** Take back one channel without ending the session. */
  stopChannel(channel: ChannelKind): void;
  /** Switch the screen between control and view-only. */
  setScreenMode(mode: 'control' | 'view_only'): void;
}

/** An always-visible indicator (a small window on the desktop, the terminal's status line). */
export interface Indicator {
  /** Shows or refreshes; an empty capability list hides it. */
  show(state: IndicatorState): void;
  /** Hides for good and releases what it holds (windows, timers). */
  close(): void;
}
