import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  effect,
  ElementRef,
  inject,
  input,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import type { FitAddon } from '@xterm/addon-fit';
import type { Terminal } from '@xterm/xterm';

import {
  parseShellFrame,
  SHELL_MAX_COLS,
  SHELL_MAX_ROWS,
  type ShellResizeFrame,
} from '../../../../contracts/agent-protocol/channel-frames';
import { ChannelStateComponent } from './channel-state.component';
import { explainRelayClose } from './relay-connection';
import { RelaySocket } from './relay-socket';
import { ChannelTicket, ViewerSessionService } from './viewer-session.service';
import { XtermHostComponent } from './xterm-host.component';

/**
 * `starting`: the relay paired, but the device's shell has not printed a byte yet (a login profile that
 * hangs keeps it there); `connected` once it has.
 */
type ShellState = 'waiting' | 'connecting' | 'starting' | 'connected' | 'closed';

/**
 * The Shell tab: xterm.js on the relay's `shell` channel. Binary frames are terminal bytes both ways;
 * the viewer sends `{"type":"resize","cols","rows"}` whenever the terminal's size changes (the window
 * was resized), and the agent sends `{"type":"exit"}` when the shell ends. Linux and macOS only. It
 * dials only once the customer allowed the terminal. It says "Starting the shell…" until the shell
 * prints its first byte, and after the portal's patience (SHELL_START_PATIENCE_SEC) without one offers
 * a plain shell, without the login profile that may be hanging.
 */
@Component({
  selector: 'app-shell-tab',
  imports: [
    ChannelStateComponent,
    MatButtonModule,
    MatIconModule,
    MatProgressSpinnerModule,
    XtermHostComponent,
  ],
  templateUrl: './shell-tab.component.html',
  styleUrl: './shell-tab.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ShellTabComponent {
  protected readonly viewer = inject(ViewerSessionService);
  private readonly terminalHost = viewChild<ElementRef<HTMLElement>, ElementRef<HTMLElement>>('terminal', {
    read: ElementRef,
  });

  /** The tab is showing: the terminal then takes the keyboard. */
  readonly active = input(false);

  protected readonly state = signal<ShellState>('waiting');
  protected readonly message = signal('');
  protected readonly sessionOver = signal(false);
  protected readonly size = signal<{ cols: number; rows: number } | null>(null);
  /** The shell has been starting for longer than the portal's patience: a plain shell is offered. */
  protected readonly stalled = signal(false);
  protected readonly openingPlain = signal(false);
  /** Why the plain shell could not be opened, in words. */
  protected readonly plainError = signal('');
  protected readonly patienceSec = this.viewer.shellStartPatienceSec;
  protected readonly plain = computed(() => this.viewer.shellProfile() === 'plain');
  protected readonly isWindows = computed(() => this.viewer.session()?.deviceOs === 'windows');
  protected readonly hasShell = computed(() => this.viewer.session()?.channels.includes('shell') ?? false);
  /** The shell's state as the device reported it (consent). */
  protected readonly channel = this.viewer.channelState('shell');
  protected readonly allowed = computed(() => this.channel()?.state === 'open');
  /** The toolbar's word while not connected: the customer may still be deciding, or have said no. */
  protected readonly idleText = computed(() => {
    const state = this.channel()?.state;
    if (state === undefined || state === 'open') return 'Connecting…';
    return state === 'opening' || state === 'asking' ? 'Waiting for the customer…' : 'Not connected';
  });
  private readonly ticket = this.viewer.ticket('shell');
  /** The last token dialled with: tokens are single-use. */
  private dialled: string | null = null;

  private terminal: Promise<{ term: Terminal; fit: FitAddon }> | null = null;
  private relay: RelaySocket | null = null;
  private attempt = 0;
  private patienceTimer: ReturnType<typeof setTimeout> | undefined;
  private resizeObserver: ResizeObserver | null = null;
  private readonly encoder = new TextEncoder();

  constructor() {
    // Dials with a new token once the shell is allowed and the terminal's box exists (it is rendered
    // only after the session is known to have a shell); hangs up when it is no longer allowed.
    effect(() => {
      const ticket = this.ticket();
      const host = this.terminalHost()?.nativeElement;
      untracked(() => this.follow(ticket, host));
    });
    effect(() => {
      if (this.active() && this.state() === 'connected') {
        untracked(() => {
          this.fitNow();
          void this.terminal?.then(({ term }) => term.focus());
        });
      }
    });
    inject(DestroyRef).onDestroy(() => {
      this.attempt++;
      this.hangUp();
      this.resizeObserver?.disconnect();
      void this.terminal?.then(({ term }) => term.dispose());
    });
  }

  protected reconnect(): void {
    void this.viewer.reconnect();
  }

  /** Has the device start the shell again without the login profile (it replaces the silent one). */
  protected async openPlainShell(): Promise<void> {
    if (this.openingPlain()) return;
    this.openingPlain.set(true);
    this.plainError.set('');
    try {
      this.plainError.set((await this.viewer.plainShell()) ?? '');
    } finally {
      this.openingPlain.set(false);
    }
  }

  private follow(ticket: ChannelTicket | null, host: HTMLElement | undefined): void {
    if (!ticket || !host) {
      this.attempt++;
      this.hangUp();
      // Once the session is over its ticket goes too: the close explanation stays (not a spinner).
      if (!(this.state() === 'closed' && this.sessionOver())) this.state.set('waiting');
      return;
    }
    if (ticket.token === this.dialled) return;
    this.dialled = ticket.token;
    void this.connect(ticket, host);
  }

  private async connect(ticket: ChannelTicket, host: HTMLElement): Promise<void> {
    const attempt = ++this.attempt;
    this.hangUp();
    this.state.set('connecting');
    this.stalled.set(false);
    this.message.set('');
    this.sessionOver.set(false);

    let term: Terminal;
    try {
      ({ term } = await this.createTerminal(host));
    } catch (error: unknown) {
      console.error('Could not load the terminal', error);
      if (attempt === this.attempt)
        this.closed('The terminal could not be loaded. Reload this window.', false);
      return;
    }
    if (attempt !== this.attempt) return;

    const relay = new RelaySocket(ticket.url, ticket.sessionId, ticket.token, 'shell');
    this.relay = relay;
    let exited = false;
    relay.socket.addEventListener('open', () => {
      if (attempt !== this.attempt) return;
      term.reset();
      // Paired; the shell itself has yet to print anything (its prompt, at least).
      this.state.set('starting');
      this.patienceTimer = setTimeout(() => {
        if (attempt === this.attempt && this.state() === 'starting') this.stalled.set(true);
      }, this.patienceSec() * 1000);
      this.fitNow();
      this.sendSize(term.cols, term.rows);
      if (this.active()) term.focus();
    });
    relay.socket.addEventListener('message', (event: MessageEvent<ArrayBuffer | string>) => {
      if (attempt !== this.attempt) return;
      if (typeof event.data !== 'string') {
        term.write(new Uint8Array(event.data));
        if (this.state() === 'starting') this.started(term);
        return;
      }
      const control = parseShellFrame(event.data);
      if (control.ok && control.value.type === 'exit') {
        exited = true;
        const { exitCode } = control.value;
        const code = exitCode === null ? '' : ` (exit code ${exitCode})`;
        this.closed(`The shell on the device has ended${code}.`, false);
      }
    });
    void relay.closed.then((close) => {
      if (attempt !== this.attempt || relay.intentional) return;
      this.relay = null;
      if (!exited) {
        const explained = explainRelayClose(close, ticket.expiresAt, Date.now());
        this.closed(explained.message, explained.sessionOver);
      }
      void this.viewer.refresh();
    });
  }

  /** The terminal, created once (xterm.js loads on first use, in its own chunk). */
  private createTerminal(host: HTMLElement): Promise<{ term: Terminal; fit: FitAddon }> {
    this.terminal ??= (async () => {
      const [{ Terminal }, { FitAddon }] = await Promise.all([
        import('@xterm/xterm'),
        import('@xterm/addon-fit'),
      ]);
      const term = new Terminal({
        cursorBlink: true,
        fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
        fontSize: 14,
        scrollback: 5000,
        theme: { background: '#111827', foreground: '#e5e7eb', cursor: '#93c5fd' },
      });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.open(host);
      term.onData((data) => this.send(this.encoder.encode(data)));
      term.onBinary((data) => this.send(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff)));
      term.onResize(({ cols, rows }) => {
        this.size.set({ cols, rows });
        this.sendSize(cols, rows);
      });
      this.resizeObserver = new ResizeObserver(() => this.fitNow());
      this.resizeObserver.observe(host);
      return { term, fit };
    })();
    return this.terminal;
  }

  /** Fits the terminal to its box, unless the box has no size (the window is minimised). */
  private fitNow(): void {
    void this.terminal?.then(({ fit }) => {
      const dims = fit.proposeDimensions();
      if (dims && dims.cols > 0 && dims.rows > 0) fit.fit();
    });
  }

  private send(bytes: Uint8Array<ArrayBuffer>): void {
    const socket = this.relay?.socket;
    if (socket?.readyState === WebSocket.OPEN) socket.send(bytes);
  }

  private sendSize(cols: number, rows: number): void {
    const socket = this.relay?.socket;
    if (socket?.readyState !== WebSocket.OPEN) return;
    const frame: ShellResizeFrame = {
      type: 'resize',
      cols: clamp(cols, 1, SHELL_MAX_COLS),
      rows: clamp(rows, 1, SHELL_MAX_ROWS),
    };
    socket.send(JSON.stringify(frame));
  }

  /** The shell printed its first byte: it runs. */
  private started(term: Terminal): void {
    clearTimeout(this.patienceTimer);
    this.stalled.set(false);
    this.plainError.set('');
    this.state.set('connected');
    if (this.active()) term.focus();
  }

  private closed(message: string, sessionOver: boolean): void {
    this.message.set(message);
    this.sessionOver.set(sessionOver);
    this.state.set('closed');
  }

  private hangUp(): void {
    clearTimeout(this.patienceTimer);
    this.relay?.close();
    this.relay = null;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(value)));
}
