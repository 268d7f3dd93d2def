import type { AgentLogger } from '../core/logger';
import { safe } from '../core/logger';
import type { ExecResult, ProcessHost } from '../remote-help/process-host';
import { answerLabel, denyHint, questionSentence, questionTitle } from './consent-text';
import type { ConsentAnswer, ConsentPrompter, ConsentQuestion } from './consent-types';

/**
 * The question as an `osascript` `display dialog` on macOS, in the logged-in user's session. Built here
 * and golden-tested; it cannot run on the Linux machine the tests run on (docs/consent.md).
 *
 * `display dialog` has at most three buttons, so the screen offers Deny · View only · Allow once and the
 * other channels Deny · Allow for this session · Allow once. Deny is the default button (Return never
 * allows) and not the cancel button, so every answer comes back on stdout rather than as error -128.
 */
export type MacAnswer = Exclude<ConsentAnswer, 'timeout'>;

export function macButtons(question: ConsentQuestion): MacAnswer[] {
  return question.channel === 'screen' ? ['deny', 'view_only', 'allow'] : ['deny', 'allow_session', 'allow'];
}

/** An AppleScript string literal: backslash and double quote escaped (control characters are already gone). */
export function appleScriptString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The AppleScript of the dialog, giving up (a timeout) with the question's time. */
export function macDialogScript(question: ConsentQuestion): string {
  const body = `${questionSentence(question)}\n\n${denyHint()}`;
  const buttons = macButtons(question).map((a) => appleScriptString(answerLabel(a)));
  const seconds = Math.max(1, Math.ceil(question.timeoutMs / 1000));
  return [
    `display dialog ${appleScriptString(body)}`,
    `with title ${appleScriptString(questionTitle(question))}`,
    `buttons {${buttons.join(', ')}} default button ${appleScriptString(answerLabel('deny'))}`,
    `with icon caution giving up after ${seconds}`,
  ].join(' ');
}

/** What runs: osascript directly, or as the console user through `launchctl asuser` when the agent is root. */
export function macDialogCommand(script: string, consoleUid?: number): { file: string; args: string[] } {
  const osascript = ['/usr/bin/osascript', '-e', script];
  if (consoleUid === undefined) return { file: osascript[0], args: osascript.slice(1) };
  return {
    file: '/bin/launchctl',
    args: ['asuser', String(consoleUid), '/usr/bin/sudo', '-n', '-u', `#${consoleUid}`, ...osascript],
  };
}

/** `button returned:Allow once, gave up:false` → the answer; anything else → unavailable. */
export function readMacAnswer(question: ConsentQuestion, result: ExecResult): ConsentAnswer | 'unavailable' {
  if (result.exitCode !== 0) return 'unavailable';
  const out = result.stdout.trim();
  if (/gave up:true/.test(out)) return 'timeout';
  const match = /^button returned:(.*?)(?:, gave up:false)?$/.exec(out);
  if (!match) return 'unavailable';
  return macButtons(question).find((a) => answerLabel(a) === match[1]) ?? 'unavailable';
}

export interface MacDialogOptions {
  host: ProcessHost;
  logger: AgentLogger;
  /** Whether the agent runs as root (then the dialog goes to the console user's session). */
  isRoot: boolean;
}

export class MacDialogPrompter implements ConsentPrompter {
  readonly name = 'dialog';

  constructor(private readonly options: MacDialogOptions) {}

  async ask(question: ConsentQuestion): Promise<ConsentAnswer | 'unavailable'> {
    const { host, logger, isRoot } = this.options;
    let uid: number | undefined;
    if (isRoot) {
      // The owner of /dev/console is the logged-in user; root (the login window) means nobody is.
      const owner = await host.exec('/usr/bin/stat', ['-f', '%u', '/dev/console'], { timeoutMs: 5_000 });
      uid = /^\d+$/.test(owner.stdout.trim()) ? Number(owner.stdout.trim()) : 0;
      if (uid === 0) return 'unavailable';
    }
    if (question.signal.aborted) return 'deny';
    const command = macDialogCommand(macDialogScript(question), uid);
    const result = await host.exec(command.file, command.args, {
      timeoutMs: question.timeoutMs + 5_000,
      signal: question.signal,
    });
    if (question.signal.aborted) return 'deny';
    const answer = readMacAnswer(question, result);
    if (answer === 'unavailable') logger.warn(`consent dialog failed: ${safe(result.stderr, 300)}`);
    return answer;
  }
}
