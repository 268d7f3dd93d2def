import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatTooltipModule } from '@angular/material/tooltip';
import { firstValueFrom, Observable } from 'rxjs';

import { toApiError } from '../core/api-error';
import { registerAppIcons } from '../core/app-icons';
import { showsOwnErrors } from '../core/http-context';
import { RemoteHelpApiService } from './remote-help-api.service';
import {
  QUICK_ASSIST_STEPS,
  QuickAssistStarted,
  QuickAssistStatus,
  REFUSAL_HINTS,
} from './remote-help.model';

type Busy = 'start' | 'stop' | 'install';

interface Failure {
  code: string;
  /** A short explanation of the code, when the dashboard knows it. */
  hint: string | null;
  /** The server's sentence (for device refusals: the device's own words, as text). */
  message: string;
}

/** After "Install", readiness is checked this often, this many times (about three minutes). */
const INSTALL_POLL_MS = 10_000;
const INSTALL_POLLS = 18;

/**
 * Quick Assist on one device: readiness (installed, version, internet, someone logged in), the kill
 * switch, "Launch Quick Assist" with the steps the people then take, "Stop", and "Install" when it is
 * missing. Self-contained: place it anywhere with `<app-quick-assist-panel [deviceId]="id" />`.
 * Every value from the device is rendered as text.
 */
@Component({
  selector: 'app-quick-assist-panel',
  imports: [MatButtonModule, MatIconModule, MatProgressSpinnerModule, MatTooltipModule],
  templateUrl: './quick-assist-panel.component.html',
  styleUrl: './quick-assist-panel.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QuickAssistPanelComponent {
  private readonly api = inject(RemoteHelpApiService);

  readonly deviceId = input.required<string>();

  protected readonly steps = QUICK_ASSIST_STEPS;
  protected readonly status = signal<QuickAssistStatus | null>(null);
  protected readonly loading = signal(false);
  protected readonly busy = signal<Busy | null>(null);
  protected readonly failure = signal<Failure | null>(null);
  protected readonly started = signal<QuickAssistStarted | null>(null);
  /** One sentence about the last stop or install. */
  protected readonly outcome = signal<string | null>(null);
  protected readonly installing = signal(false);

  protected readonly ready = computed(() => {
    const s = this.status();
    return s !== null && s.supported && s.installed && s.interactiveSession && !s.killSwitch;
  });
  protected readonly canLaunch = computed(() => this.ready() && this.busy() === null);
  protected readonly canStop = computed(() => {
    const s = this.status();
    return s !== null && s.supported && !s.killSwitch && this.busy() === null;
  });
  protected readonly canInstall = computed(() => {
    const s = this.status();
    return (
      s !== null &&
      s.supported &&
      !s.installed &&
      s.interactiveSession &&
      !s.killSwitch &&
      this.busy() === null &&
      !this.installing()
    );
  });
  /** Why Launch is not available, in words (for its tooltip and the readiness summary). */
  protected readonly blocker = computed(() => {
    const s = this.status();
    if (!s) return null;
    if (!s.supported) return 'Quick Assist exists on Windows devices only.';
    if (s.killSwitch) return 'Remote control is switched off on this device.';
    if (!s.installed) return 'Quick Assist is not installed on the device.';
    if (!s.interactiveSession) return 'Nobody is logged in on the device.';
    return null;
  });

  /** Bumped on every device change and on destroy, so late answers for another device are dropped. */
  private generation = 0;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    registerAppIcons();
    // A new device id starts over (and any late answer for the previous one is dropped).
    effect(() => {
      this.deviceId();
      untracked(() => this.reset());
    });
    inject(DestroyRef).onDestroy(() => {
      this.generation++;
      clearTimeout(this.pollTimer);
    });
  }

  protected async refresh(): Promise<void> {
    const id = this.deviceId();
    const generation = this.generation;
    this.loading.set(true);
    try {
      const status = await firstValueFrom(this.api.status(id, { context: showsOwnErrors() }));
      if (generation !== this.generation) return;
      this.status.set(status);
      this.failure.set(null);
    } catch (caught: unknown) {
      if (generation === this.generation) this.fail(caught);
    } finally {
      if (generation === this.generation) this.loading.set(false);
    }
  }

  protected async launch(): Promise<void> {
    const result = await this.run('start', (id) => this.api.start(id, { context: showsOwnErrors() }));
    if (!result) return;
    this.started.set(result);
    this.outcome.set(null);
  }

  protected async stop(): Promise<void> {
    const result = await this.run('stop', (id) => this.api.stop(id, { context: showsOwnErrors() }));
    if (!result) return;
    this.started.set(null);
    this.outcome.set(
      result.stopped
        ? 'Quick Assist was closed on the device.'
        : 'Quick Assist was not running on the device.',
    );
  }

  protected async install(): Promise<void> {
    const result = await this.run('install', (id) => this.api.install(id, { context: showsOwnErrors() }));
    if (!result) return;
    this.outcome.set(
      'Installing Quick Assist from the Microsoft Store on the device (a window there shows progress). Readiness updates by itself.',
    );
    this.installing.set(true);
    this.pollUntilInstalled(this.generation, INSTALL_POLLS);
  }

  /** Runs one action for the current device; its result, or null after showing the failure. */
  private async run<T>(action: Busy, call: (deviceId: string) => Observable<T>): Promise<T | null> {
    if (this.busy() !== null) return null;
    const generation = this.generation;
    this.busy.set(action);
    this.failure.set(null);
    try {
      const result = await firstValueFrom(call(this.deviceId()));
      return generation === this.generation ? result : null;
    } catch (caught: unknown) {
      if (generation === this.generation) {
        this.fail(caught);
        // A refusal often means the device changed (kill switch, logged out): show its state now.
        void this.refresh();
      }
      return null;
    } finally {
      if (generation === this.generation) this.busy.set(null);
    }
  }

  private pollUntilInstalled(generation: number, left: number): void {
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => {
      if (generation !== this.generation) return;
      void this.refresh().then(() => {
        if (generation !== this.generation) return;
        if (this.status()?.installed || left <= 1) {
          this.installing.set(false);
          if (!this.status()?.installed)
            this.outcome.set(
              'Quick Assist is still not installed. Check the window on the device, then refresh.',
            );
          else this.outcome.set('Quick Assist is installed.');
          return;
        }
        this.pollUntilInstalled(generation, left - 1);
      });
    }, INSTALL_POLL_MS);
  }

  private reset(): void {
    this.generation++;
    clearTimeout(this.pollTimer);
    this.status.set(null);
    this.failure.set(null);
    this.started.set(null);
    this.outcome.set(null);
    this.installing.set(false);
    this.busy.set(null);
    void this.refresh();
  }

  private fail(caught: unknown): void {
    const error = toApiError(caught);
    this.failure.set({ code: error.code, hint: REFUSAL_HINTS[error.code] ?? null, message: error.message });
  }
}
