import type { AgentLogger } from '../core/logger';
import { safe } from '../core/logger';
import { answerButton, denyHint, offeredAnswers, questionSentence, questionTitle } from './consent-text';
import type { ConsentAnswer, ConsentPrompter, ConsentQuestion } from './consent-types';
import {
  collect,
  defaultSpawn,
  findExecutable,
  hasDesktop,
  noDisplay,
  zenityText,
  type SpawnFn,
} from './zenity';

/** Button labels with their mnemonics (Alt+letter); zenity prints an extra button's label as given. */
export function zenityLabel(answer: Exclude<ConsentAnswer, 'timeout'>): string {
  return answerButton(answer);
}

/** Exit code of `zenity --timeout`. */
const ZENITY_TIMEOUT = 5;

/**
 * `zenity --question` arguments: Allow once is OK, Deny is Cancel (and the default, so a stray Enter never
 * allows), Allow for this session and View only (screen only) are extra buttons. zenity's own timeout is
 * one second behind the question's, a backstop should the agent's timer not withdraw the dialog.
 */
export function zenityQuestionArgs(question: ConsentQuestion): string[] {
  const extras = offeredAnswers(question.channel).filter((a) => a === 'allow_session' || a === 'view_only');
  const body = `${questionSentence(question)}\n\n${denyHint()}`;
  return [
    '--question',
    `--title=${questionTitle(question)}`,
    '--no-markup',
    '--width=460',
    '--icon-name=dialog-warning',
    `--text=${zenityText(body)}`,
    `--ok-label=${zenityLabel('allow')}`,
    `--cancel-label=${zenityLabel('deny')}`,
    ...extras.map((a) => `--extra-button=${zenityLabel(a)}`),
    '--default-cancel',
    `--timeout=${Math.max(1, Math.ceil(question.timeoutMs / 1000) + 1)}`,
  ];
}

/** How a finished `zenity --question` answered, or `unavailable` when it could not ask. */
export function readZenityAnswer(
  question: ConsentQuestion,
  exit: { code: number | null; stdout: string; stderr: string },
): ConsentAnswer | 'unavailable' {
  if (exit.code === 0) return 'allow';
  if (exit.code === ZENITY_TIMEOUT) return 'timeout';
  if (exit.code !== 1) return 'unavailable';
  const label = exit.stdout.trim();
  if (label) {
    const answer = offeredAnswers(question.channel).find((a) => a !== 'timeout' && zenityLabel(a) === label);
    return answer ?? 'unavailable';
  }
  // Deny, Escape or the window closed: a no: unless zenity never reached the display at all.
  return noDisplay(exit.stderr) ? 'unavailable' : 'deny';
}

export interface ZenityPrompterOptions {
  env: NodeJS.ProcessEnv;
  logger: AgentLogger;
  /** The zenity program; found on PATH when absent. */
  zenity?: string;
  spawn?: SpawnFn;
}

/**
 * The question as a dialog on the Linux desktop (zenity). Only with a display (DISPLAY or
 * WAYLAND_DISPLAY) and zenity installed; a dialog that cannot start, crashes or is killed is
 * `unavailable` (the terminal asks instead). Withdrawn (answered elsewhere, timed out) kills the dialog.
 */
export class ZenityPrompter implements ConsentPrompter {
  readonly name = 'dialog';
  private readonly zenity: string | undefined;
  private readonly spawn: SpawnFn;

  constructor(private readonly options: ZenityPrompterOptions) {
    this.zenity = options.zenity ?? findExecutable('zenity', options.env);
    this.spawn = options.spawn ?? defaultSpawn;
  }

  /** Whether this prompter can show a dialog at all (a display and zenity). */
  get available(): boolean {
    return this.zenity !== undefined && hasDesktop(this.options.env);
  }

  ask(question: ConsentQuestion): Promise<ConsentAnswer | 'unavailable'> {
    const zenity = this.zenity;
    if (!zenity || !hasDesktop(this.options.env)) return Promise.resolve('unavailable');
    if (question.signal.aborted) return Promise.resolve('deny');
    return new Promise((resolve) => {
      let child;
      try {
        child = this.spawn(zenity, zenityQuestionArgs(question), {
          env: this.options.env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (err) {
        this.options.logger.warn(`consent dialog could not start: ${safe(err)}`);
        resolve('unavailable');
        return;
      }
      const stdout = collect(child.stdout);
      const stderr = collect(child.stderr);
      let withdrawn = false;
      const onAbort = (): void => {
        withdrawn = true;
        child.kill('SIGTERM');
      };
      question.signal.addEventListener('abort', onAbort, { once: true });
      child.once('error', (err) => {
        question.signal.removeEventListener('abort', onAbort);
        this.options.logger.warn(`consent dialog could not start: ${safe(err)}`);
        resolve('unavailable');
      });
      child.once('close', (code, signal) => {
        question.signal.removeEventListener('abort', onAbort);
        if (withdrawn) return resolve('deny');
        if (signal) {
          this.options.logger.warn(`consent dialog ended by ${signal}; asking in the terminal only`);
          return resolve('unavailable');
        }
        const answer = readZenityAnswer(question, { code, stdout: stdout(), stderr: stderr() });
        if (answer === 'unavailable')
          this.options.logger.warn(`consent dialog failed (exit ${String(code)}): ${safe(stderr(), 300)}`);
        resolve(answer);
      });
    });
  }
}
