import {
  afterRenderEffect,
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  ElementRef,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { firstValueFrom, Subscription } from 'rxjs';

import { toApiError } from '../core/api-error';
import { showsOwnErrors } from '../core/http-context';
import {
  COMMAND_LIMITS,
  CommandExit,
  RemoteSessionsApiService,
} from '../remote-sessions/remote-sessions-api.service';
import { ViewerSessionService } from './viewer-session.service';

type RunStatus = 'starting' | 'running' | 'exited' | 'failed';

interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: string;
}

interface CommandRun {
  /** Local key. */
  key: number;
  commandId: string | null;
  command: string;
  status: RunStatus;
  output: OutputChunk[];
  /** Characters kept in `output`; beyond {@link SHOWN_OUTPUT_MAX} the rest is not shown. */
  shown: number;
  clipped: boolean;
  exit: CommandExit | null;
  error: string | null;
  cancelling: boolean;
}

const DEFAULT_TIMEOUT_SEC = 300;
/** Output shown per command; the agent stops collecting at 1 MiB anyway. */
const SHOWN_OUTPUT_MAX = 512 * 1024;
/** Commands kept on screen. */
const RUNS_KEPT = 20;

/** "Exit code 0 · 0.4 s", "Cancelled", "Stopped after the 300 s timeout", … */
export function describeExit(exit: CommandExit, timeoutSec: number | null): string {
  const parts: string[] = [];
  if (exit.cancelled) parts.push('Cancelled');
  else if (exit.timedOut)
    parts.push(timeoutSec ? `Stopped after the ${timeoutSec} s timeout` : 'Stopped: it timed out');
  if (exit.exitCode !== null) parts.push(`Exit code ${exit.exitCode}`);
  else if (exit.signal) parts.push(`Ended by ${exit.signal}`);
  if (exit.truncated) parts.push('output beyond the limit was dropped');
  parts.push(exit.durationMs < 1000 ? `${exit.durationMs} ms` : `${(exit.durationMs / 1000).toFixed(1)} s`);
  return parts.join(' · ');
}

/**
 * The Commands tab: runs a command line on the device through the portal (the control channel, not
 * the relay), streams its output, shows how it ended, and cancels it. Output is untrusted text,
 * shown as text. The device asks the customer before the session's first command, so until one has
 * started the tab says it waits for them; a refusal (403, the device's sentence) is shown in words.
 */
@Component({
  selector: 'app-commands-tab',
  imports: [MatButtonModule, MatFormFieldModule, MatIconModule, MatInputModule, ReactiveFormsModule],
  templateUrl: './commands-tab.component.html',
  styleUrl: './commands-tab.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CommandsTabComponent {
  private readonly api = inject(RemoteSessionsApiService);
  protected readonly viewer = inject(ViewerSessionService);
  private readonly log = viewChild<ElementRef<HTMLElement>>('log');

  protected readonly limits = COMMAND_LIMITS;
  protected readonly form = inject(NonNullableFormBuilder).group({
    // Not `required`: an empty line just does nothing, and the field stays calm after each run.
    command: ['', [Validators.maxLength(COMMAND_LIMITS.commandMax)]],
    timeoutSec: [
      DEFAULT_TIMEOUT_SEC,
      [
        Validators.required,
        Validators.min(COMMAND_LIMITS.timeoutMinSec),
        Validators.max(COMMAND_LIMITS.timeoutMaxSec),
      ],
    ],
  });
  protected readonly runs = signal<readonly CommandRun[]>([]);
  protected readonly running = computed(() =>
    this.runs().some((run) => run.status === 'starting' || run.status === 'running'),
  );
  protected readonly isWindows = computed(() => this.viewer.session()?.deviceOs === 'windows');
  /** A command has started in this session: the customer allowed commands. */
  protected readonly commandsAllowed = signal(false);
  private readonly timeouts = new Map<number, number>();
  private readonly subscriptions = new Subscription();
  private keys = 0;

  constructor() {
    inject(DestroyRef).onDestroy(() => this.subscriptions.unsubscribe());
    // Follow the output as it arrives.
    afterRenderEffect({
      write: () => {
        this.runs();
        const log = this.log()?.nativeElement;
        if (log) log.scrollTop = log.scrollHeight;
      },
    });
  }

  protected async run(): Promise<void> {
    if (this.running() || this.viewer.ended()) return;
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const command = this.form.controls.command.value.trim();
    if (!command) return;
    const timeoutSec = this.form.controls.timeoutSec.value;
    const key = ++this.keys;
    this.timeouts.set(key, timeoutSec);
    this.runs.update((runs) =>
      [
        ...runs,
        {
          key,
          commandId: null,
          command,
          status: 'starting' as const,
          output: [],
          shown: 0,
          clipped: false,
          exit: null,
          error: null,
          cancelling: false,
        },
      ].slice(-RUNS_KEPT),
    );
    this.form.controls.command.reset('');

    let commandId: string;
    try {
      ({ commandId } = await firstValueFrom(
        this.api.runCommand(this.sessionId(), { command, timeoutSec }, { context: showsOwnErrors() }),
      ));
    } catch (caught: unknown) {
      this.patch(key, { status: 'failed', error: toApiError(caught).message });
      void this.viewer.refresh();
      return;
    }
    this.commandsAllowed.set(true);
    this.patch(key, { status: 'running', commandId });
    this.subscriptions.add(
      this.api.commandOutput(this.sessionId(), commandId).subscribe({
        next: (event) => {
          if (event.type === 'exit') {
            this.patch(key, { status: 'exited', exit: event.exit, cancelling: false });
            return;
          }
          const { stream, data } = event.output;
          this.update(key, (run) => {
            if (run.clipped) return run;
            const room = SHOWN_OUTPUT_MAX - run.shown;
            const text = data.length > room ? data.slice(0, room) : data;
            const last = run.output.at(-1);
            const output =
              last && last.stream === stream
                ? [...run.output.slice(0, -1), { stream, data: last.data + text }]
                : [...run.output, { stream, data: text }];
            return { ...run, output, shown: run.shown + text.length, clipped: data.length > room };
          });
        },
        error: (error: unknown) => {
          this.patch(key, {
            status: 'failed',
            error: error instanceof Error ? error.message : 'The command’s output could not be read.',
          });
        },
      }),
    );
  }

  protected async cancel(run: CommandRun): Promise<void> {
    if (!run.commandId || run.cancelling) return;
    this.patch(run.key, { cancelling: true });
    try {
      await firstValueFrom(this.api.cancelCommand(this.sessionId(), run.commandId));
    } catch {
      // The interceptor showed why; the command may have ended meanwhile.
      this.patch(run.key, { cancelling: false });
    }
  }

  protected exitText(run: CommandRun): string {
    return run.exit ? describeExit(run.exit, this.timeouts.get(run.key) ?? null) : '';
  }

  protected exitOk(run: CommandRun): boolean {
    return run.exit?.exitCode === 0 && !run.exit.cancelled && !run.exit.timedOut;
  }

  private sessionId(): string {
    return this.viewer.session()?.id ?? '';
  }

  private patch(key: number, change: Partial<CommandRun>): void {
    this.update(key, (run) => ({ ...run, ...change }));
  }

  private update(key: number, change: (run: CommandRun) => CommandRun): void {
    this.runs.update((runs) => runs.map((run) => (run.key === key ? change(run) : run)));
  }
}
