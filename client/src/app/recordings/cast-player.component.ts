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
import type { Player } from 'asciinema-player';
import { firstValueFrom } from 'rxjs';

import { ApiError } from '../core/api-error';
import { castText } from './recording-text';
import { RecordingsApiService, type RecordingPlaybackView } from './recordings-api.service';

/** The player's stylesheet, built apart (angular.json `styles`, `inject: false`) and linked on first use. */
const PLAYER_CSS = 'asciinema-player.css';

function linkPlayerStyles(): void {
  if (document.querySelector(`link[data-asciinema-player]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = PLAYER_CSS;
  link.dataset['asciinemaPlayer'] = '';
  document.head.appendChild(link);
}

/** How often the position is mirrored onto the element while the player exists. */
const POSITION_POLL_MS = 250;

/**
 * The shell and commands player: asciinema-player (loaded on first use, in its own chunk) playing the
 * recording's chunks concatenated into one asciicast v2 file, with its own controls. The terminal
 * output is drawn by the player as terminal text, never as HTML.
 */
@Component({
  selector: 'app-cast-player',
  template: `
    @if (status(); as text) {
      <p class="status" role="status">{{ text }}</p>
    }
    <div #host class="cast" data-testid="player-terminal"></div>
  `,
  host: { '[attr.data-state]': 'state()', '[attr.data-position-ms]': 'positionMs()' },
  styles: `
    :host {
      display: block;
    }
    .cast {
      max-width: 100%;
    }
    .status {
      color: var(--app-text-muted, #666);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CastPlayerComponent implements OnInit {
  private readonly api = inject(RecordingsApiService);
  private readonly host = viewChild.required<ElementRef<HTMLElement>>('host');

  readonly playback = input.required<RecordingPlaybackView>();

  protected readonly status = signal('Loading the recording…');
  protected readonly state = signal<'loading' | 'ready' | 'error'>('loading');
  /** The player's position, for tests and the page (asciinema-player keeps its own controls). */
  protected readonly positionMs = signal(0);
  private player: Player | null = null;
  private poll: ReturnType<typeof setInterval> | null = null;
  private destroyed = false;

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.destroyed = true;
      if (this.poll !== null) clearInterval(this.poll);
      this.player?.dispose();
    });
  }

  ngOnInit(): void {
    void this.start();
  }

  private async start(): Promise<void> {
    const playback = this.playback();
    const decoder = new TextDecoder();
    const parts: string[] = [];
    for (let i = 0; i < playback.playableChunks; i++) {
      try {
        const bytes = await firstValueFrom(this.api.chunk(playback.recording.id, i));
        parts.push(decoder.decode(new Uint8Array(bytes), { stream: true }));
      } catch (err: unknown) {
        this.status.set(
          err instanceof ApiError ? err.message : `Part ${i + 1} of the recording could not be loaded.`,
        );
        break;
      }
      if (this.destroyed) return;
    }
    parts.push(decoder.decode());
    const cast = castText(parts);
    if (!cast) {
      this.status.set('Nothing of this recording can be played.');
      this.state.set('error');
      return;
    }
    try {
      linkPlayerStyles();
      const AsciinemaPlayer = await import('asciinema-player');
      if (this.destroyed) return;
      // No idleTimeLimit: a recording plays in its real time (pauses included, what an audit reads);
      // the player's own speed controls remain.
      this.player = AsciinemaPlayer.create({ data: cast }, this.host().nativeElement, {
        fit: 'width',
        controls: true,
      });
      const player = this.player;
      this.poll = setInterval(() => {
        this.positionMs.set(Math.round(player.getCurrentTime() * 1000));
      }, POSITION_POLL_MS);
      this.state.set('ready');
      if (this.status() === 'Loading the recording…') this.status.set('');
    } catch (error: unknown) {
      console.warn('The terminal player failed', error);
      this.status.set('The terminal player could not be loaded. Reload the page to try again.');
      this.state.set('error');
    }
  }
}
