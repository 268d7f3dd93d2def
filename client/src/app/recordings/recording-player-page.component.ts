import { DatePipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { AuthService } from '../auth/auth.service';
import { ApiError } from '../core/api-error';
import { PageHeaderComponent } from '../shared/page-header.component';
import { StatusPillComponent } from '../shared/status-pill.component';
import { CastPlayerComponent } from './cast-player.component';
import { askLegalHold } from './legal-hold-dialog.component';
import { INTEGRITY_TONES, STATUS_PILLS } from './recording-pills';
import {
  brokenBanner,
  bytesText,
  CHANNEL_LABELS,
  clockText,
  integrityText,
  statusWhy,
} from './recording-text';
import { RecordingsApiService, type RecordingPlaybackView } from './recordings-api.service';
import { ScreenPlayerComponent } from './screen-player.component';

/**
 * One recording: what it is, whether it can be trusted (a banner where it broke or why it is
 * incomplete), its player (the screen through noVNC, shell and commands through asciinema-player),
 * and the administrators' actions: download, legal hold, verify (auditors verify too). Opening the
 * page is audited by the portal (`recording.viewed`).
 */
@Component({
  selector: 'app-recording-player-page',
  imports: [
    CastPlayerComponent,
    DatePipe,
    MatButtonModule,
    PageHeaderComponent,
    RouterLink,
    ScreenPlayerComponent,
    StatusPillComponent,
  ],
  template: `
    <app-page-header heading="Recording" [description]="description()">
      <a matButton="outlined" routerLink="/recordings">All recordings</a>
      @if (playback(); as p) {
        @if (canVerify()) {
          <button
            matButton="outlined"
            type="button"
            data-testid="recording-verify"
            [disabled]="busy()"
            (click)="verify()"
          >
            Verify
          </button>
        }
        @if (isAdmin()) {
          <button
            matButton="outlined"
            type="button"
            data-testid="recording-legal-hold"
            [disabled]="busy()"
            (click)="toggleHold(!p.recording.legalHold)"
          >
            {{ p.recording.legalHold ? 'Lift legal hold' : 'Legal hold' }}
          </button>
          <a matButton="filled" [href]="exportHref()" download data-testid="recording-download">Download</a>
        }
      }
    </app-page-header>

    @if (error(); as message) {
      <p class="error" role="alert" [attr.data-code]="errorCode()">{{ message }}</p>
    }
    @if (notice(); as text) {
      <p class="notice" role="status">{{ text }}</p>
    }

    @if (playback(); as p) {
      @if (broken(); as text) {
        <p class="banner broken" role="alert" data-testid="recording-broken-banner">{{ text }}</p>
      }
      @if (why(); as text) {
        <p class="banner incomplete" role="note" data-testid="recording-incomplete-banner">{{ text }}</p>
      }
      <dl class="facts">
        <dt>Started</dt>
        <dd>
          <time [attr.datetime]="p.recording.startedAt">{{ p.recording.startedAt | date: 'medium' }}</time>
        </dd>
        <dt>Duration</dt>
        <dd>{{ clock(p.recording.durationSec * 1000) }} · {{ bytes(p.recording.bytes) }}</dd>
        <dt>Technician</dt>
        <dd>{{ p.recording.technician ?? 'Removed account' }}</dd>
        <dt>Device</dt>
        <dd>{{ p.recording.deviceName ?? '—' }}</dd>
        <dt>Session</dt>
        <dd><a [routerLink]="['/remote-sessions', p.recording.sessionId]">Session details</a></dd>
        <dt>Status</dt>
        <dd>
          <app-status-pill [tone]="statusPill[p.recording.status].tone">{{
            statusPill[p.recording.status].label
          }}</app-status-pill>
          <app-status-pill
            [tone]="integrityTone[p.recording.integrity]"
            mark="none"
            data-testid="recording-integrity"
            [attr.data-integrity]="p.recording.integrity"
            >{{ integrity(p.recording) }}</app-status-pill
          >
          @if (p.recording.legalHold) {
            <app-status-pill tone="neutral" mark="none" data-testid="recording-on-hold"
              >On legal hold</app-status-pill
            >
          }
        </dd>
        @if (p.recording.legalHold && p.recording.legalHoldNote) {
          <dt>Hold note</dt>
          <dd>{{ p.recording.legalHoldNote }}</dd>
        }
      </dl>

      @if (p.playableChunks === 0) {
        <p class="muted">Nothing of this recording can be played.</p>
      } @else if (p.recording.channel === 'screen') {
        <app-screen-player
          class="player"
          data-testid="recording-player"
          [playback]="p"
          (broken)="brokenFound($event)"
        />
      } @else {
        <app-cast-player class="player" data-testid="recording-player" [playback]="p" />
      }
    } @else if (!error()) {
      <p class="muted">Loading…</p>
    }
  `,
  styles: `
    .facts {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 6px 24px;
      margin: 0 0 16px;
    }
    dt {
      color: var(--app-text-muted, #666);
    }
    dd {
      margin: 0;
      overflow-wrap: anywhere;
      display: flex;
      gap: 8px;
      flex-wrap: wrap;
    }
    .banner {
      padding: 10px 14px;
      border-radius: 8px;
      color: var(--app-text);
    }
    .broken {
      background: var(--app-danger-bg);
      border: 1px solid var(--app-danger-border);
    }
    .incomplete {
      background: var(--app-warning-bg);
      border: 1px solid var(--app-warning-border);
    }
    .error {
      color: var(--app-danger, #b3261e);
    }
    .muted,
    .notice {
      color: var(--app-text-muted, #666);
    }
    .player {
      display: block;
      margin-top: 8px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RecordingPlayerPageComponent {
  private readonly api = inject(RecordingsApiService);
  private readonly dialog = inject(MatDialog);
  private readonly auth = inject(AuthService);

  /** The `:id` route parameter (component input binding). */
  readonly id = input.required<string>();

  protected readonly isAdmin = this.auth.isAdmin;
  protected readonly canVerify = computed(() => {
    const role = this.auth.user()?.role;
    return role === 'admin' || role === 'auditor';
  });
  protected readonly playback = signal<RecordingPlaybackView | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly errorCode = signal<string | null>(null);
  protected readonly notice = signal('');
  protected readonly busy = signal(false);
  protected readonly statusPill = STATUS_PILLS;
  protected readonly integrityTone = INTEGRITY_TONES;
  protected readonly clock = clockText;
  protected readonly bytes = bytesText;
  protected readonly integrity = integrityText;
  protected readonly broken = computed(() => {
    const p = this.playback();
    return p ? brokenBanner(p) : '';
  });
  protected readonly why = computed(() => {
    const p = this.playback();
    return p ? statusWhy(p.recording) : '';
  });
  protected readonly description = computed(() => {
    const r = this.playback()?.recording;
    return r ? `${CHANNEL_LABELS[r.channel]} · ${r.deviceName ?? 'unknown device'}` : '';
  });
  protected readonly exportHref = computed(() => this.api.exportHref(this.id()));

  constructor() {
    effect((onCleanup) => {
      // Another recording in the same page (the router reuses it): nothing of the last one stays.
      untracked(() => {
        if (this.playback()?.recording.id !== this.id()) this.playback.set(null);
      });
      const sub = this.api.playback(this.id()).subscribe({
        next: (p) => this.playback.set(p),
        error: (err: unknown) => this.showError(err, 'The recording could not be loaded.'),
      });
      onCleanup(() => sub.unsubscribe());
    });
  }

  protected async toggleHold(hold: boolean): Promise<void> {
    const request = await askLegalHold(this.dialog, hold);
    if (!request) return;
    await this.act(
      () => firstValueFrom(this.api.setLegalHold(this.id(), request)),
      hold ? 'The recording is on legal hold.' : 'The legal hold was lifted.',
    );
  }

  protected async verify(): Promise<void> {
    await this.act(() => firstValueFrom(this.api.verify(this.id())), '');
  }

  /**
   * The player was refused a chunk as broken: read the recording again so the banner and the
   * integrity pill say so (the playable chunks end at the break; the player already stopped there).
   */
  protected async brokenFound(brokenAt: number): Promise<void> {
    try {
      const recording = await firstValueFrom(this.api.get(this.id()));
      const current = this.playback();
      if (!current || current.recording.id !== recording.id) return;
      const playableChunks = Math.min(current.playableChunks, recording.brokenAt ?? brokenAt);
      this.playback.set({ ...current, recording, playableChunks });
    } catch (err: unknown) {
      this.showError(err, 'The recording could not be read again.');
    }
  }

  /** Runs an action, then reads the recording again (the player keeps playing what it has). */
  private async act(run: () => Promise<unknown>, done: string): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    this.notice.set('');
    try {
      await run();
      const recording = await firstValueFrom(this.api.get(this.id()));
      const current = this.playback();
      if (current && current.recording.integrity !== recording.integrity)
        // Where playback stops may have moved: read the playable chunks again.
        this.playback.set(await firstValueFrom(this.api.playback(this.id())));
      else if (current) this.playback.set({ ...current, recording });
      this.notice.set(done || `Checked: ${integrityText(recording).toLowerCase()}.`);
    } catch (err: unknown) {
      this.showError(err, 'That did not work. Try again.');
    } finally {
      this.busy.set(false);
    }
  }

  private showError(err: unknown, fallback: string): void {
    this.errorCode.set(err instanceof ApiError ? err.code : null);
    this.error.set(err instanceof ApiError ? err.message : fallback);
  }
}
