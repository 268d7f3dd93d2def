import { randomBytes } from 'node:crypto';
import type { ConsentContext, ConsentMessage } from '../../../contracts/agent-protocol/control-messages';
import type {
  AgentMode,
  ChannelKind,
  ConsentPolicy,
  ScreenMode,
} from '../../../contracts/agent-protocol/enums';
import type { ActionRequest, ConsentVerdict, MutatingAction } from '../core/action-gate';
import type { ConsentAnswer, ConsentPrompter, ConsentQuestion } from './consent-types';

/** The sentences a technician reads when the person at the device said no (the portal shows them). */
export const CONSENT_SENTENCES = {
  denied: 'The person at the device did not allow this.',
  timedOut: 'The person at the device did not answer in time, which counts as a no.',
  unavailable:
    'The device could not ask the person at it (no dialog and no terminal), so nothing was opened.',
  withdrawn: 'The question was withdrawn on the device before it was answered.',
} as const;

/** Strictness: a stricter policy always wins, so neither side alone can turn asking off. */
const STRICTNESS: Record<ConsentPolicy, number> = { ask: 2, notify: 1, silent: 0 };

/** Stricter of the two: the portal's (per device) and the device's own (agent.json). */
export function effectivePolicy(portal: ConsentPolicy | undefined, device: ConsentPolicy): ConsentPolicy {
  const theirs = portal ?? 'ask';
  return STRICTNESS[theirs] >= STRICTNESS[device] ? theirs : device;
}

/** The consent channel an action is asked under; actions not listed are not asked (Quick Assist asks itself). */
const ASKED_AS: Partial<Record<MutatingAction, ChannelKind>> = {
  screen: 'screen',
  shell: 'shell',
  commands: 'commands',
  run_command: 'commands',
  files: 'files',
};

/** Shows the question with every prompter at once; the first real answer wins (consent/ask-first.ts). */
export type AskFunction = (
  prompters: ConsentPrompter[],
  question: ConsentQuestion,
) => Promise<ConsentAnswer | 'unavailable'>;

export interface ConsentManagerOptions {
  mode: AgentMode;
  /**
   * The device administrator's policy (agent.json `consent`, re-read when the file changes);
   * quick-support agents always ask.
   */
  devicePolicy: ConsentPolicy | (() => ConsentPolicy);
  /** The organisation named when an older portal sends no consent context (the agent's brand). */
  organisation: string;
  /** The ways this device can ask, best first. */
  prompters: () => ConsentPrompter[];
  ask: AskFunction;
  /** Reports each decision and change to the portal (`consent`). */
  report: (message: ConsentMessage) => void;
  /** When the portal sends no timeout. */
  defaultTimeoutSec?: number;
  /** Where each decision is logged (no names, only the channel and the answer). */
  log?: (line: string) => void;
}

interface Pending {
  promptId: string;
  controller: AbortController;
  verdict: Promise<ConsentVerdict & { mode?: ScreenMode }>;
}

/** The session of a command sent by a portal older than 1.2 (it names none). */
const NO_SESSION = 'no-session';

const key = (sessionId: string, channel: ChannelKind): string => `${sessionId}/${channel}`;

/**
 * Asks the person at the device before a channel opens, and remembers what they said for the session:
 * - the policy is the stricter of the portal's and the device's (quick-support: always ask);
 * - an answer covers the question it was asked for only (session + channel + a random prompt id); a
 *   second request while a question is showing waits for that same answer;
 * - "allow for this session" and "view only" are remembered until the customer takes the channel back,
 *   the session ends, or the agent ends; "allow" covers one connection;
 * - no answer in time, no way to ask, or a withdrawn question is a no, never a yes.
 */
export class ConsentManager {
  private readonly grants = new Map<string, ScreenMode>();
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly options: ConsentManagerOptions) {}

  /** The gate's consent hook (core/action-gate.ts). */
  readonly hook = (request: ActionRequest): Promise<ConsentVerdict> | ConsentVerdict => {
    const channel = ASKED_AS[request.action];
    if (!channel || request.coveredByChannel) return { allowed: true };
    return this.decide({
      sessionId: request.sessionId ?? NO_SESSION,
      channel,
      context: request.consent,
      technician: request.requestedBy,
    });
  };

  policy(portal: ConsentPolicy | undefined): ConsentPolicy {
    const device = this.options.devicePolicy;
    return this.options.mode === 'quick'
      ? 'ask'
      : effectivePolicy(portal, typeof device === 'function' ? device() : device);
  }

  async decide(request: {
    sessionId: string;
    channel: ChannelKind;
    context?: ConsentContext;
    technician?: string;
  }): Promise<ConsentVerdict> {
    const { sessionId, channel, context } = request;
    const policy = this.policy(context?.policy);
    if (policy !== 'ask') {
      this.report({ sessionId, channel, event: 'not_asked', policy });
      return { allowed: true, mode: 'control' };
    }
    const granted = this.grants.get(key(sessionId, channel));
    if (granted) return { allowed: true, mode: granted };
    const waiting = this.pending.get(key(sessionId, channel));
    if (waiting) return waiting.verdict;
    const promptId = `p-${randomBytes(9).toString('base64url')}`;
    const controller = new AbortController();
    const timeoutSec = context?.timeoutSec ?? this.options.defaultTimeoutSec ?? 30;
    const question: ConsentQuestion = {
      promptId,
      sessionId,
      channel,
      technician: context?.technician ?? request.technician ?? 'A technician',
      organisation: context?.organisation ?? this.options.organisation,
      ...(context?.reason && { reason: context.reason }),
      timeoutMs: timeoutSec * 1000,
      signal: controller.signal,
    };
    const entry: Pending = {
      promptId,
      controller,
      verdict: this.askNow(question, policy).finally(() => {
        if (this.pending.get(key(sessionId, channel)) === entry) this.pending.delete(key(sessionId, channel));
      }),
    };
    this.pending.set(key(sessionId, channel), entry);
    return entry.verdict;
  }

  /** The customer switched the screen's mode: remembered for the session's later connections, reported. */
  modeChanged(sessionId: string, mode: ScreenMode): void {
    if (this.grants.has(key(sessionId, 'screen'))) this.grants.set(key(sessionId, 'screen'), mode);
    this.report({ sessionId, channel: 'screen', event: 'mode_changed', policy: 'ask', mode });
  }

  /** The customer took one channel back: its next connection is asked again. */
  revoked(sessionId: string, channel: ChannelKind): void {
    this.grants.delete(key(sessionId, channel));
    this.pending.get(key(sessionId, channel))?.controller.abort();
    this.report({ sessionId, channel, event: 'revoked', policy: 'ask' });
  }

  /** The customer ended the session on the device (End now, Ctrl-C, kill switch). */
  endedLocally(sessionIds: Iterable<string>): void {
    for (const sessionId of new Set(sessionIds))
      this.report({ sessionId, event: 'ended_locally', policy: this.policy(undefined) });
  }

  /** Every question withdrawn and every answer forgotten (kill switch, the agent ending). */
  withdrawAll(): void {
    for (const p of this.pending.values()) p.controller.abort();
    this.grants.clear();
  }

  /** Sessions with a question showing (reported as ended locally when the customer ends everything). */
  sessionsAsking(): string[] {
    return [...this.pending.keys()].map((k) => k.slice(0, k.lastIndexOf('/')));
  }

  private async askNow(question: ConsentQuestion, policy: ConsentPolicy): Promise<ConsentVerdict> {
    const { sessionId, channel, promptId } = question;
    const prompters = this.options.prompters();
    if (prompters.length === 0) return this.unavailable(sessionId, channel, policy);
    this.report({
      sessionId,
      channel,
      event: 'asked',
      policy,
      promptId,
      expiresInSec: Math.round(question.timeoutMs / 1000),
    });
    let answer: ConsentAnswer | 'unavailable';
    try {
      answer = await this.options.ask(prompters, question);
    } catch {
      answer = 'unavailable';
    }
    this.options.log?.(
      `consent for ${channel}: ${question.signal.aborted ? 'withdrawn' : answer} (asked on ${prompters.map((p) => p.name).join(', ')})`,
    );
    if (question.signal.aborted) {
      this.report({ sessionId, channel, event: 'denied', policy, promptId });
      return { allowed: false, message: CONSENT_SENTENCES.withdrawn };
    }
    switch (answer) {
      case 'allow':
      case 'allow_session': {
        const scope = answer === 'allow' ? 'once' : 'session';
        if (scope === 'session') this.grants.set(key(sessionId, channel), 'control');
        const mode = screenMode(channel, 'control');
        this.report({ sessionId, channel, event: 'allowed', policy, promptId, scope, ...mode });
        return { allowed: true, mode: 'control' };
      }
      case 'view_only':
        if (channel !== 'screen') break;
        this.grants.set(key(sessionId, channel), 'view_only');
        this.report({
          sessionId,
          channel,
          event: 'allowed_view_only',
          policy,
          promptId,
          scope: 'session',
          mode: 'view_only',
        });
        return { allowed: true, mode: 'view_only' };
      case 'timeout':
        this.report({ sessionId, channel, event: 'timed_out', policy, promptId });
        return { allowed: false, message: CONSENT_SENTENCES.timedOut };
      case 'unavailable':
        return this.unavailable(sessionId, channel, policy, promptId);
      case 'deny':
        break;
    }
    this.report({ sessionId, channel, event: 'denied', policy, promptId });
    return { allowed: false, message: CONSENT_SENTENCES.denied };
  }

  private unavailable(
    sessionId: string,
    channel: ChannelKind,
    policy: ConsentPolicy,
    promptId?: string,
  ): ConsentVerdict {
    this.report({ sessionId, channel, event: 'unavailable', policy, ...(promptId && { promptId }) });
    return { allowed: false, message: CONSENT_SENTENCES.unavailable };
  }

  private report(fields: Omit<ConsentMessage, 'type'>): void {
    // A command from an older portal names no session: asked all the same, but there is nothing to report it on.
    if (fields.sessionId !== NO_SESSION) this.options.report({ type: 'consent', ...fields });
  }
}

function screenMode(channel: ChannelKind, mode: ScreenMode): { mode?: ScreenMode } {
  return channel === 'screen' ? { mode } : {};
}
