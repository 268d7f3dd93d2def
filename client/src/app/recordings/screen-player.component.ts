import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  effect,
  ElementRef,
  inject,
  input,
  output,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import type RFB from '@novnc/novnc';
import type { Subscription } from 'rxjs';

import { ScreenRecordReader, SCREEN_DIRECTION } from '../../../../contracts/recording/format';
import { toApiError } from '../core/api-error';
import { brokenAtOf, CHUNK_RETRY_DELAYS_MS, mayFetch, retryable, windowed } from './chunk-loading';
import { RecordedChannel } from './recorded-channel';
import { browserTimers, PLAYBACK_SPEEDS, RecordScheduler, type PlaybackSpeed } from './record-scheduler';
import { clockText, playableMs } from './recording-text';
import { RecordingsApiService, type RecordingPlaybackView } from './recordings-api.service';
import { InputActivity, type InputActivitySnapshot } from './rfb-input';

/** Unread bytes in noVNC's receive queue past which playback waits (noVNC's own cap is 40 MiB). */
const BACKLOG_LIMIT = 8 * 1024 * 1024;

/**
 * Bytes noVNC has received but not processed yet. noVNC has no public API for this; its Websock's
 * queue indexes (`_rQlen`, `_rQi`, core/websock.js in 1.7) are read defensively: 0 when absent.
 */
function receiveBacklog(rfb: RFB | null): number {
  const sock = (rfb as unknown as { _sock?: { _rQlen?: unknown; _rQi?: unknown } } | null)?._sock;
  const length = sock?._rQlen;
  const index = sock?._rQi;
  return typeof length === 'number' && typeof index === 'number' ? length - index : 0;
}

/** Seek steps from the keyboard within this long of each other make one seek. */
const KEY_SEEK_DEBOUNCE_MS = 300;
const SEEK_KEYS = new Set([
  'ArrowLeft',
  'ArrowRight',
  'ArrowUp',
  'ArrowDown',
  'PageUp',
  'PageDown',
  'Home',
  'End',
]);

/**
 * The screen player: noVNC drawn from the recorded server stream (direction 0) at its recorded
 * timing (record-scheduler.ts), through a channel that never reaches a device (recorded-channel.ts);
 * what noVNC sends is dropped, it is view-only. The technician's input (direction 1) shows as activity
 * beside the screen: keystrokes per second and clicks, the typed keys only when the portal allows it.
 * Chunks load one after another while the first ones play; a long recording is held in a window
 * (chunk-loading.ts). A viewer that throws or disconnects pauses playback with an alert, never silently.
 * The player follows its input: another recording (the router reuses the page) or other playable
 * chunks (after Verify) start it again.
 */
@Component({
  selector: 'app-screen-player',
  imports: [MatButtonModule, MatIconModule],
  template: `
    <div class="controls" role="group" aria-label="Playback">
      @if (playing()) {
        <button matIconButton type="button" aria-label="Pause" data-testid="player-pause" (click)="pause()">
          <mat-icon svgIcon="pause" />
        </button>
      } @else {
        <button
          matIconButton
          type="button"
          aria-label="Play"
          data-testid="player-play"
          [disabled]="durationMs() === 0"
          (click)="play()"
        >
          <mat-icon svgIcon="play-arrow" />
        </button>
      }
      <span class="time" data-testid="player-time"
        >{{ clock(positionMs()) }} / {{ clock(durationMs()) }}</span
      >
      <input
        class="seek"
        type="range"
        min="0"
        [max]="durationMs()"
        step="1000"
        [value]="seekValue()"
        aria-label="Seek"
        data-testid="player-seek"
        [attr.aria-valuetext]="clock(seekValue())"
        (pointerdown)="dragging = true; keyboardSeek = false"
        (pointerup)="dragging = false"
        (pointercancel)="dragging = false"
        (blur)="dragging = false"
        (keydown)="seekKey($event)"
        (change)="seekChanged($any($event.target).valueAsNumber)"
      />
      <span class="speeds" role="radiogroup" aria-label="Speed" (keydown)="speedKey($event)">
        @for (s of speeds; track s) {
          <button
            matButton
            type="button"
            role="radio"
            [attr.aria-checked]="speed() === s"
            [attr.tabindex]="speed() === s ? 0 : -1"
            [attr.data-testid]="'player-speed-' + s"
            [class.chosen]="speed() === s"
            (click)="setSpeed(s)"
          >
            {{ s }}×
          </button>
        }
      </span>
    </div>
    <p class="status" role="status" data-testid="player-status">{{ status() }}</p>
    @if (alert(); as text) {
      <p class="alert" role="alert" data-testid="player-alert">{{ text }}</p>
    }
    <div class="stage">
      <div #screen class="screen" data-testid="player-screen"></div>
      <aside class="activity" aria-label="Technician input" data-testid="player-input">
        <p>
          <span class="value" data-testid="player-keys-per-second">{{ activity().keysPerSecond }}</span>
          keystrokes per second
        </p>
        <p>
          <span class="value" data-testid="player-clicks">{{ activity().clicks }}</span> clicks
        </p>
        @if (revealKeys()) {
          <p class="typed-label">Typed</p>
          <pre class="typed" data-testid="player-typed">{{ activity().typed }}</pre>
        }
      </aside>
    </div>
  `,
  host: { '[attr.data-position-ms]': 'positionRounded()', '[attr.data-state]': 'state()' },
  styles: `
    :host {
      display: block;
    }
    .controls {
      display: flex;
      align-items: center;
      gap: 8px;
      flex-wrap: wrap;
    }
    .time {
      font-variant-numeric: tabular-nums;
      white-space: nowrap;
    }
    .seek {
      flex: 1;
      min-width: 10rem;
    }
    .chosen {
      background: var(--app-brand-soft, #e0e9ff);
    }
    .stage {
      display: flex;
      gap: 16px;
      align-items: flex-start;
      margin-top: 8px;
    }
    .screen {
      flex: 1;
      height: 70vh;
      min-height: 240px;
      background: var(--app-neutral-soft);
    }
    .activity {
      width: 12rem;
      font-size: 0.875rem;
    }
    .activity p {
      margin: 0 0 6px;
    }
    .value {
      font-weight: 600;
      font-variant-numeric: tabular-nums;
    }
    .typed {
      white-space: pre-wrap;
      overflow-wrap: anywhere;
      font-family: var(--app-font-mono, monospace);
      margin: 0;
    }
    .status {
      color: var(--app-text-muted, #666);
      margin: 4px 0;
    }
    .status:empty {
      margin: 0;
    }
    .alert {
      color: var(--app-danger, #b3261e);
      margin: 4px 0;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ScreenPlayerComponent {
  private readonly api = inject(RecordingsApiService);
  private readonly screen = viewChild.required<ElementRef<HTMLElement>>('screen');

  readonly playback = input.required<RecordingPlaybackView>();
  /**
   * A chunk was refused as broken (409 `recording_broken`): the first untrusted chunk. Playback stops
   * at its start; the page reads the recording again so its banner and integrity pill say so.
   */
  readonly broken = output<number>();

  protected readonly speeds = PLAYBACK_SPEEDS;
  protected readonly clock = clockText;
  protected readonly playing = signal(false);
  protected readonly speed = signal<PlaybackSpeed>(1);
  protected readonly positionMs = signal(0);
  protected readonly positionRounded = signal(0);
  /** The seek bar's value: the position, except while the pointer holds the thumb. */
  protected readonly seekValue = signal(0);
  protected readonly durationMs = signal(0);
  /** loading | ready | ended | error */
  protected readonly state = signal<'loading' | 'ready' | 'ended' | 'error'>('loading');
  /** The polite live region's text (the element is always there; only its text changes). */
  protected readonly status = signal('Loading the recording…');
  /** What went wrong (role=alert), or ''. */
  protected readonly alert = signal('');
  protected readonly revealKeys = signal(false);
  protected readonly activity = signal<InputActivitySnapshot>({
    keysPerSecond: 0,
    clicks: 0,
    lastClick: null,
    typed: '',
  });
  protected dragging = false;
  protected keyboardSeek = false;

  private Rfb: typeof RFB | null = null;
  private rfb: RFB | null = null;
  private channel: RecordedChannel | null = null;
  private input = new InputActivity(false);
  private destroyed = false;
  /** Bumped on every (re)start: work of an older start stops at its next step. */
  private generation = 0;
  /** Bumped when the chunks are fetched again from the first (a rewind of a windowed recording). */
  private loadGeneration = 0;
  private loadingId: string | null = null;
  private loadingPlayable = 0;
  /** The first chunk the portal refused as broken, or null. */
  private brokenAt: number | null = null;
  private download: Subscription | null = null;
  /** Wakes a loader waiting for the playhead to move (windowed recordings). */
  private wake: (() => void) | null = null;
  private keySeekTimer: ReturnType<typeof setTimeout> | null = null;
  /** Playing when the tab was hidden (paused then, so a hidden tab never delivers a backlog at once). */
  private pausedHidden = false;
  private readonly scheduler = new RecordScheduler({
    timers: browserTimers,
    deliver: (record) => {
      if (record.direction === SCREEN_DIRECTION.agentToTech) this.channel?.receive(record.data);
      else this.input.push(record.atMs, record.data);
    },
    rewind: () => this.buildViewer(),
    refetch: () => void this.load(this.playback(), this.generation),
    backlogged: () => receiveBacklog(this.rfb) > BACKLOG_LIMIT,
    onPosition: (ms) => {
      this.positionMs.set(ms);
      this.positionRounded.set(Math.round(ms));
      if (!this.dragging) this.seekValue.set(ms);
      this.activity.set(this.input.snapshot(ms));
      this.wakeLoader();
    },
    onEnd: () => {
      this.playing.set(false);
      this.state.set('ended');
    },
    onError: (error: unknown) => {
      console.warn('The screen player stopped: the viewer failed on a record', error);
      this.playing.set(false);
      this.fail(
        `The screen player could not draw the recording at ${clockText(this.scheduler.position())} and paused. Seek or press Play to try again.`,
      );
    },
  });

  constructor() {
    const onVisibility = (): void => this.visibilityChanged();
    document.addEventListener('visibilitychange', onVisibility);
    inject(DestroyRef).onDestroy(() => {
      document.removeEventListener('visibilitychange', onVisibility);
      this.destroyed = true;
      this.generation++;
      this.cancelDownload();
      if (this.keySeekTimer !== null) clearTimeout(this.keySeekTimer);
      this.scheduler.stop();
      this.tearDown();
    });
    effect(() => {
      const playback = this.playback();
      untracked(() => this.follow(playback));
    });
  }

  protected play(): void {
    if (!this.rfb) return;
    if (this.state() === 'ended' || this.state() === 'error') this.state.set('ready');
    this.alert.set('');
    this.scheduler.play();
    this.playing.set(true);
  }

  protected pause(): void {
    this.pausedHidden = false;
    this.scheduler.pause();
    this.playing.set(false);
  }

  protected setSpeed(speed: PlaybackSpeed): void {
    this.scheduler.setSpeed(speed);
    this.speed.set(speed);
  }

  /** Arrow keys move the choice within the speed radio group (and focus follows it). */
  protected speedKey(event: KeyboardEvent): void {
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    const at = this.speeds.indexOf(this.speed());
    const index = (at + step + this.speeds.length) % this.speeds.length;
    this.setSpeed(this.speeds[index]);
    const radios = (event.currentTarget as HTMLElement).querySelectorAll<HTMLElement>('[role="radio"]');
    radios[index]?.focus();
  }

  /** Keys that move a range input: the change they cause is debounced (see seekChanged). */
  protected seekKey(event: KeyboardEvent): void {
    if (SEEK_KEYS.has(event.key)) this.keyboardSeek = true;
  }

  /** The seek bar moved: at once from the pointer, after a pause from the keyboard (one seek, not ten). */
  protected seekChanged(ms: number): void {
    this.dragging = false;
    if (!this.keyboardSeek) {
      this.seek(ms);
      return;
    }
    this.keyboardSeek = false;
    this.seekValue.set(ms);
    if (this.keySeekTimer !== null) clearTimeout(this.keySeekTimer);
    this.keySeekTimer = setTimeout(() => {
      this.keySeekTimer = null;
      this.seek(ms);
    }, KEY_SEEK_DEBOUNCE_MS);
  }

  private seek(ms: number): void {
    if (!this.rfb || Number.isNaN(ms)) return;
    if (this.state() === 'ended' || this.state() === 'error') this.state.set('ready');
    this.alert.set('');
    this.scheduler.seek(Math.min(ms, this.durationMs()));
    this.wakeLoader();
  }

  private visibilityChanged(): void {
    if (document.hidden) {
      if (!this.scheduler.isPlaying) return;
      this.scheduler.pause();
      this.pausedHidden = true;
    } else if (this.pausedHidden) {
      this.pausedHidden = false;
      if (this.playing()) this.scheduler.play();
    }
  }

  /** A new input: start over for another recording or other playable chunks, else keep playing. */
  private follow(playback: RecordingPlaybackView): void {
    if (this.destroyed) return;
    const sameRecording = playback.recording.id === this.loadingId;
    if (sameRecording && playback.playableChunks === this.loadingPlayable) return;
    if (sameRecording && this.brokenAt !== null && playback.playableChunks === this.brokenAt) {
      // The page caught up with the break this player found: it already stopped there.
      this.loadingPlayable = playback.playableChunks;
      return;
    }
    void this.start(playback);
  }

  private async start(playback: RecordingPlaybackView): Promise<void> {
    const generation = ++this.generation;
    this.loadingId = playback.recording.id;
    this.loadingPlayable = playback.playableChunks;
    this.brokenAt = null;
    this.cancelDownload();
    this.scheduler.reset();
    this.tearDown();
    this.state.set('loading');
    this.status.set('Loading the recording…');
    this.alert.set('');
    this.playing.set(false);
    this.revealKeys.set(playback.revealKeys);
    this.input = new InputActivity(playback.revealKeys);
    this.durationMs.set(playableMs(playback));
    this.scheduler.expectDuration(this.durationMs());
    if (!this.Rfb) {
      try {
        // noVNC (ESM with top-level await) loads on first use, in its own chunk.
        this.Rfb = (await import('@novnc/novnc')).default;
      } catch {
        this.fail('The screen player could not be loaded. Reload the page to try again.');
        return;
      }
    }
    if (generation !== this.generation) return;
    this.buildViewer();
    this.state.set('ready');
    this.status.set('');
    this.scheduler.play();
    this.playing.set(true);
    // Opened in a background tab: wait until it shows (its timers are throttled meanwhile).
    if (document.hidden) this.visibilityChanged();
    await this.load(playback, generation);
  }

  /** Fetches the playable chunks from the first, in order, into the scheduler (see chunk-loading.ts). */
  private async load(playback: RecordingPlaybackView, generation: number): Promise<void> {
    const loadGeneration = ++this.loadGeneration;
    const current = (): boolean => generation === this.generation && loadGeneration === this.loadGeneration;
    this.cancelDownload();
    const reader = new ScreenRecordReader();
    const id = playback.recording.id;
    const isWindowed = windowed(playback.chunks, playback.playableChunks);
    let playable = playback.playableChunks;
    for (let i = 0; i < playable; i++) {
      while (isWindowed && !mayFetch(playback.chunks, i, this.scheduler.wantedMs, true)) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        if (!current()) return;
      }
      const bytes = await this.fetchChunk(id, i, current);
      if (!current()) return;
      if (typeof bytes === 'string') {
        this.fail(bytes);
        playable = i;
        break;
      }
      if (bytes === null) {
        playable = i;
        break;
      }
      try {
        this.scheduler.append(reader.push(new Uint8Array(bytes)), playback.chunks[i]?.endMs ?? 0);
      } catch {
        this.fail(`Part ${i + 1} of the recording cannot be read; playback stops there.`);
        playable = i;
        break;
      }
      if (isWindowed) this.scheduler.forgetDelivered();
    }
    if (playable < playback.playableChunks) {
      const end = playable > 0 ? (playback.chunks[playable - 1]?.endMs ?? 0) : 0;
      this.durationMs.set(Math.max(end, Math.min(this.scheduler.loadedMs, this.durationMs())));
    }
    this.scheduler.finish(this.durationMs());
  }

  /**
   * One chunk: its bytes; null when the portal refused it as broken (reported); or the sentence to show
   * when it could not be had. Network failures and 5xx answers are tried again with a growing wait.
   */
  private async fetchChunk(
    id: string,
    index: number,
    current: () => boolean,
  ): Promise<ArrayBuffer | string | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await new Promise<ArrayBuffer>((resolve, reject) => {
          this.download = this.api.chunk(id, index).subscribe({ next: resolve, error: reject });
        });
      } catch (err: unknown) {
        const error = toApiError(err);
        const brokenAt = brokenAtOf(error, index);
        if (brokenAt !== null) {
          this.brokenAt = brokenAt;
          const at = brokenAt > 0 ? (this.playback().chunks[brokenAt - 1]?.endMs ?? 0) : 0;
          this.showAlert(
            `This recording cannot be trusted after ${clockText(at)}: playback stops there. ${error.message}`,
          );
          this.broken.emit(brokenAt);
          return null;
        }
        if (!retryable(error) || attempt >= CHUNK_RETRY_DELAYS_MS.length)
          return `Part ${index + 1} of the recording could not be loaded: ${error.message}`;
        this.status.set(`Part ${index + 1} of the recording did not load; trying again…`);
        await new Promise((resolve) => setTimeout(resolve, CHUNK_RETRY_DELAYS_MS[attempt]));
        if (!current()) return null;
        this.status.set('');
      } finally {
        this.download = null;
      }
    }
  }

  private cancelDownload(): void {
    this.download?.unsubscribe();
    this.download = null;
    this.wakeLoader();
  }

  private wakeLoader(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Something went wrong: said in the alert region; the player is in its error state. */
  private fail(message: string): void {
    this.showAlert(message);
    this.state.set('error');
  }

  private showAlert(message: string): void {
    this.alert.set(message);
  }

  /** A fresh noVNC on a fresh recorded channel (first play, and every seek backwards). */
  private buildViewer(): void {
    this.tearDown();
    this.input.reset();
    if (!this.Rfb) return;
    const channel = new RecordedChannel();
    // noVNC checks for a WebSocket's members by name; RecordedChannel has every one it reads.
    const rfb = new this.Rfb(this.screen().nativeElement, channel as unknown as WebSocket, { shared: true });
    rfb.viewOnly = true;
    rfb.scaleViewport = true;
    rfb.focusOnClick = false;
    rfb.addEventListener('securityfailure', () => {
      if (rfb === this.rfb)
        this.fail('The recording does not start with a screen handshake the player understands.');
    });
    rfb.addEventListener('disconnect', (event) => {
      // Only the viewer on screen, and only a failure: tearing a viewer down disconnects it cleanly.
      if (rfb !== this.rfb || (event as CustomEvent<{ clean: boolean }>).detail?.clean !== false) return;
      this.scheduler.pause();
      this.playing.set(false);
      this.fail(
        `The screen player stopped at ${clockText(this.scheduler.position())}: the recording could not be drawn from there. Seek back or reload the page to try again.`,
      );
    });
    this.channel = channel;
    this.rfb = rfb;
  }

  private tearDown(): void {
    const rfb = this.rfb;
    this.rfb = null;
    this.channel = null;
    if (rfb) {
      try {
        rfb.disconnect();
      } catch (error: unknown) {
        console.warn('The screen player did not close cleanly', error);
      }
    }
  }
}
