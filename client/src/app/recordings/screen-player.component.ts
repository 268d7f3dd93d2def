import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  inject,
  input,
  OnInit,
  signal,
  viewChild,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import type RFB from '@novnc/novnc';
import { firstValueFrom } from 'rxjs';

import { ScreenRecordReader, SCREEN_DIRECTION } from '../../../../contracts/recording/format';
import { ApiError } from '../core/api-error';
import { RecordedChannel } from './recorded-channel';
import { browserTimers, PLAYBACK_SPEEDS, RecordScheduler, type PlaybackSpeed } from './record-scheduler';
import { clockText, playableMs } from './recording-text';
import { RecordingsApiService, type RecordingPlaybackView } from './recordings-api.service';
import { InputActivity, type InputActivitySnapshot } from './rfb-input';

/** Unread bytes in noVNC's receive queue past which a fast-forward waits (noVNC's own cap is 40 MiB). */
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

/**
 * The screen player: noVNC drawn from the recorded server stream (direction 0) at its recorded
 * timing (record-scheduler.ts), through a channel that never reaches a device (recorded-channel.ts);
 * what noVNC sends is dropped, it is view-only. The technician's input (direction 1) shows as activity
 * beside the screen: keystrokes per second and clicks, the typed keys only when the portal allows it.
 * Chunks load one after another while the first ones play.
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
        step="100"
        [value]="positionMs()"
        aria-label="Seek"
        data-testid="player-seek"
        [attr.aria-valuetext]="clock(positionMs())"
        (change)="seek($any($event.target).valueAsNumber)"
      />
      <span class="speeds" role="radiogroup" aria-label="Speed">
        @for (s of speeds; track s) {
          <button
            matButton
            type="button"
            role="radio"
            [attr.aria-checked]="speed() === s"
            [attr.data-testid]="'player-speed-' + s"
            [class.chosen]="speed() === s"
            (click)="setSpeed(s)"
          >
            {{ s }}×
          </button>
        }
      </span>
    </div>
    @if (status(); as text) {
      <p class="status" role="status">{{ text }}</p>
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
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ScreenPlayerComponent implements OnInit {
  private readonly api = inject(RecordingsApiService);
  private readonly screen = viewChild.required<ElementRef<HTMLElement>>('screen');

  readonly playback = input.required<RecordingPlaybackView>();

  protected readonly speeds = PLAYBACK_SPEEDS;
  protected readonly clock = clockText;
  protected readonly playing = signal(false);
  protected readonly speed = signal<PlaybackSpeed>(1);
  protected readonly positionMs = signal(0);
  protected readonly positionRounded = signal(0);
  protected readonly durationMs = signal(0);
  /** loading | ready | ended | error */
  protected readonly state = signal<'loading' | 'ready' | 'ended' | 'error'>('loading');
  protected readonly status = signal('Loading the recording…');
  protected readonly revealKeys = signal(false);
  protected readonly activity = signal<InputActivitySnapshot>({
    keysPerSecond: 0,
    clicks: 0,
    lastClick: null,
    typed: '',
  });

  private Rfb: typeof RFB | null = null;
  private rfb: RFB | null = null;
  private channel: RecordedChannel | null = null;
  private input = new InputActivity(false);
  private destroyed = false;
  private readonly scheduler = new RecordScheduler({
    timers: browserTimers,
    deliver: (record) => {
      if (record.direction === SCREEN_DIRECTION.agentToTech) this.channel?.receive(record.data);
      else this.input.push(record.atMs, record.data);
    },
    rewind: () => this.buildViewer(),
    backlogged: () => receiveBacklog(this.rfb) > BACKLOG_LIMIT,
    onPosition: (ms) => {
      this.positionMs.set(ms);
      this.positionRounded.set(Math.round(ms));
      this.activity.set(this.input.snapshot(ms));
    },
    onEnd: () => {
      this.playing.set(false);
      this.state.set('ended');
    },
  });

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.destroyed = true;
      this.scheduler.stop();
      this.tearDown();
    });
  }

  ngOnInit(): void {
    void this.start();
  }

  protected play(): void {
    if (!this.rfb) return;
    if (this.state() === 'ended') this.state.set('ready');
    this.scheduler.play();
    this.playing.set(true);
  }

  protected pause(): void {
    this.scheduler.pause();
    this.playing.set(false);
  }

  protected setSpeed(speed: PlaybackSpeed): void {
    this.scheduler.setSpeed(speed);
    this.speed.set(speed);
  }

  protected seek(ms: number): void {
    if (!this.rfb || Number.isNaN(ms)) return;
    if (this.state() === 'ended') this.state.set('ready');
    this.scheduler.seek(ms);
  }

  private async start(): Promise<void> {
    const playback = this.playback();
    this.revealKeys.set(playback.revealKeys);
    this.input = new InputActivity(playback.revealKeys);
    this.durationMs.set(playableMs(playback));
    try {
      // noVNC (ESM with top-level await) loads on first use, in its own chunk.
      this.Rfb = (await import('@novnc/novnc')).default;
    } catch {
      this.fail('The screen player could not be loaded. Reload the page to try again.');
      return;
    }
    if (this.destroyed) return;
    this.buildViewer();
    this.state.set('ready');
    this.status.set('');
    this.scheduler.play();
    this.playing.set(true);
    const reader = new ScreenRecordReader();
    const id = playback.recording.id;
    let whole = true;
    for (let i = 0; i < playback.playableChunks; i++) {
      let bytes: ArrayBuffer;
      try {
        bytes = await firstValueFrom(this.api.chunk(id, i));
      } catch (err: unknown) {
        this.fail(
          err instanceof ApiError ? err.message : `Part ${i + 1} of the recording could not be loaded.`,
        );
        whole = false;
        break;
      }
      if (this.destroyed) return;
      try {
        this.scheduler.append(reader.push(new Uint8Array(bytes)), playback.chunks[i]?.endMs ?? 0);
      } catch {
        this.fail(`Part ${i + 1} of the recording cannot be read; playback stops there.`);
        whole = false;
        break;
      }
    }
    if (!whole) this.durationMs.set(this.scheduler.loadedMs);
    this.scheduler.finish(this.durationMs());
  }

  private fail(message: string): void {
    this.status.set(message);
    if (this.state() === 'loading') this.state.set('error');
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
    rfb.addEventListener('securityfailure', () =>
      this.fail('The recording does not start with a screen handshake the player understands.'),
    );
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
