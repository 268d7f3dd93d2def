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
import { FormControl, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatTooltipModule } from '@angular/material/tooltip';
import type RFB from '@novnc/novnc';

import { toApiError } from '../core/api-error';
import { CopyButtonComponent } from '../shared/copy-button.component';
import { ChannelStateComponent } from './channel-state.component';
import { keysymsFor } from './keysyms';
import { explainRelayClose } from './relay-connection';
import { RelaySocket } from './relay-socket';
import {
  loadScreenQuality,
  monitorLabel,
  saveScreenQuality,
  SCREEN_QUALITY_PRESETS,
  screenQualityPreset,
  type ScreenQuality,
} from './screen-quality';
import { ChannelTicket, ViewerSessionService } from './viewer-session.service';

type ScreenState = 'waiting' | 'connecting' | 'password' | 'connected' | 'closed';

/** Longest text the Paste panel sends or types (typing sends two key events per character). */
const PASTE_MAX = 10_000;
const TYPE_MAX = 2_000;
/** Most of the device's clipboard kept and shown (it is untrusted text, rendered as text only). */
const DEVICE_CLIPBOARD_MAX = 100_000;

/** Text copied on the device, and whether it reached the technician's own clipboard by itself. */
interface DeviceClipboard {
  text: string;
  copied: boolean;
}

/** localStorage, or null where the browser refuses it (the presets then last for the window). */
function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * The Screen tab: noVNC over the relay's `screen` channel (raw RFB bytes, bridged by the agent to the
 * device's VNC server). The viewer opens the WebSocket itself and hands it to noVNC, so it sees the
 * close code and can say in words why the screen went away. noVNC (ESM with top-level await) loads
 * on first use, in its own chunk. It dials only once the customer allowed the screen, and follows the
 * mode they chose: in view-only noVNC sends no input (the device drops it anyway), and nothing here
 * can turn control on.
 */
@Component({
  selector: 'app-screen-tab',
  imports: [
    ChannelStateComponent,
    CopyButtonComponent,
    MatButtonModule,
    MatIconModule,
    MatProgressSpinnerModule,
    MatTooltipModule,
    ReactiveFormsModule,
  ],
  templateUrl: './screen-tab.component.html',
  styleUrl: './screen-tab.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ScreenTabComponent {
  protected readonly viewer = inject(ViewerSessionService);
  private readonly screen = viewChild.required<ElementRef<HTMLElement>>('screen');
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);

  /** The tab is showing: the remote screen then takes the keyboard. */
  readonly active = input(false);

  protected readonly state = signal<ScreenState>('waiting');
  protected readonly message = signal('');
  /** The close meant the session is over: no Reconnect. */
  protected readonly sessionOver = signal(false);
  protected readonly scaled = signal(true);
  protected readonly desktopName = signal('');
  protected readonly pasteOpen = signal(false);
  /** What was last copied on the device (noVNC's `clipboard` event). */
  protected readonly deviceClipboard = signal<DeviceClipboard | null>(null);
  /** The tab fills the technician's screen (Fullscreen API); Esc leaves. */
  protected readonly fullscreen = signal(false);
  protected readonly qualityPresets = SCREEN_QUALITY_PRESETS;
  protected readonly quality = signal<ScreenQuality>(loadScreenQuality(browserStorage()));
  /** The device's monitors, when it can show one alone (agents at protocol 1.3). */
  protected readonly monitors = computed(() =>
    (this.channel()?.monitors ?? []).map((m, i) => ({ index: i, label: monitorLabel(i, m) })),
  );
  /** The monitor shown: its index, or 'all' (the whole desktop). */
  protected readonly monitorChoice = computed(() => String(this.channel()?.monitor ?? 'all'));
  protected readonly switchingMonitor = signal(false);
  protected readonly monitorError = signal('');
  protected readonly pasteText = new FormControl('', { nonNullable: true });
  protected readonly password = new FormControl('', { nonNullable: true });
  protected readonly pasteMax = PASTE_MAX;
  protected readonly hasScreen = computed(() => this.viewer.session()?.channels.includes('screen') ?? true);
  /** The screen's state as the device reported it (consent, mode). */
  protected readonly channel = this.viewer.channelState('screen');
  protected readonly allowed = computed(() => this.channel()?.state === 'open');
  /** The toolbar's word while not connected: the customer may still be deciding, or have said no. */
  protected readonly idleText = computed(() => {
    const state = this.channel()?.state;
    if (state === undefined || state === 'open') return 'Connecting…';
    return state === 'opening' || state === 'asking' ? 'Waiting for the customer…' : 'Not connected';
  });
  /** The customer's choice: the technician's input reaches the device only in control. */
  protected readonly viewOnly = computed(() => this.channel()?.mode === 'view_only');
  private readonly ticket = this.viewer.ticket('screen');

  private rfb: RFB | null = null;
  private relay: RelaySocket | null = null;
  private attempt = 0;
  /** The last token dialled with: tokens are single-use. */
  private dialled: string | null = null;

  constructor() {
    effect(() => {
      const ticket = this.ticket();
      untracked(() => this.follow(ticket));
    });
    effect(() => {
      // The device's word, applied as it arrives; the agent enforces it on its side too.
      const viewOnly = this.viewOnly();
      if (this.rfb) this.rfb.viewOnly = viewOnly;
      if (viewOnly) untracked(() => this.pasteOpen.set(false));
    });
    effect(() => {
      // At real size a larger screen scrolls (noVNC shows scrollbars unless it clips).
      const scaled = this.scaled();
      if (this.rfb) this.rfb.scaleViewport = scaled;
    });
    effect(() => {
      if (this.active() && this.state() === 'connected')
        untracked(() => this.rfb?.focus({ preventScroll: true }));
    });
    effect(() => {
      // Applied live: noVNC sends the server new encodings when these change.
      const preset = screenQualityPreset(this.quality());
      if (!this.rfb) return;
      this.rfb.qualityLevel = preset.qualityLevel;
      this.rfb.compressionLevel = preset.compressionLevel;
      untracked(() => this.reflectQuality());
    });
    effect(() => {
      // Leaving the tab leaves full screen too: it would otherwise cover the tab now showing.
      if (!this.active() && untracked(() => this.fullscreen())) void this.leaveFullscreen();
    });
    const onFullscreenChange = (): void => {
      this.fullscreen.set(document.fullscreenElement === this.host.nativeElement);
      if (this.fullscreen()) this.rfb?.focus({ preventScroll: true });
    };
    document.addEventListener('fullscreenchange', onFullscreenChange);
    inject(DestroyRef).onDestroy(() => {
      document.removeEventListener('fullscreenchange', onFullscreenChange);
      this.attempt++;
      this.hangUp();
    });
  }

  protected setQuality(value: string): void {
    const preset = SCREEN_QUALITY_PRESETS.find((p) => p.key === value);
    if (!preset) return;
    this.quality.set(preset.key);
    saveScreenQuality(browserStorage(), preset.key);
  }

  /** Full screen for the whole tab (toolbar included); Esc, or the button again, leaves. */
  protected async toggleFullscreen(): Promise<void> {
    if (this.fullscreen()) {
      await this.leaveFullscreen();
      return;
    }
    try {
      await this.host.nativeElement.requestFullscreen({ navigationUI: 'hide' });
    } catch (error: unknown) {
      console.warn('Full screen was refused', error);
    }
  }

  private async leaveFullscreen(): Promise<void> {
    if (document.fullscreenElement !== this.host.nativeElement) return;
    try {
      await document.exitFullscreen();
    } catch (error: unknown) {
      console.warn('Could not leave full screen', error);
    }
  }

  /** Shows another of the device's monitors (or 'all': the whole desktop); the screen reconnects. */
  protected async selectMonitor(value: string): Promise<void> {
    const monitor = value === 'all' ? null : Number(value);
    if (monitor !== null && !this.monitors().some((m) => m.index === monitor)) return;
    if (value === this.monitorChoice() || this.switchingMonitor()) return;
    this.switchingMonitor.set(true);
    this.monitorError.set('');
    try {
      await this.viewer.selectMonitor(monitor);
    } catch (caught: unknown) {
      this.monitorError.set(toApiError(caught).message);
    } finally {
      this.switchingMonitor.set(false);
    }
  }

  protected dismissDeviceClipboard(): void {
    this.deviceClipboard.set(null);
    this.rfb?.focus({ preventScroll: true });
  }

  /**
   * Text copied on the device: put on the technician's clipboard at once where the browser allows
   * it (it needs a recent click or key in this window); otherwise the bar's Copy button does it.
   */
  private receiveClipboard(raw: string): void {
    const text = raw.slice(0, DEVICE_CLIPBOARD_MAX);
    const entry: DeviceClipboard = { text, copied: false };
    this.deviceClipboard.set(entry);
    if (!text || typeof navigator.clipboard?.writeText !== 'function') return;
    navigator.clipboard.writeText(text).then(
      () => {
        if (this.deviceClipboard() === entry) this.deviceClipboard.set({ text, copied: true });
      },
      (error: unknown) => console.info('The browser kept the device clipboard for the Copy button', error),
    );
  }

  /** noVNC's levels as it holds them now, on the screen element (what the browser suite reads). */
  private reflectQuality(): void {
    const element = this.screen().nativeElement;
    element.dataset['qualityLevel'] = String(this.rfb?.qualityLevel ?? '');
    element.dataset['compressionLevel'] = String(this.rfb?.compressionLevel ?? '');
  }

  protected ctrlAltDel(): void {
    if (this.viewOnly()) return;
    this.rfb?.sendCtrlAltDel();
    this.rfb?.focus({ preventScroll: true });
  }

  /** Puts the text on the remote clipboard; the technician then pastes it there (Ctrl+V). */
  protected sendToClipboard(): void {
    const text = this.pasteText.value;
    if (!this.rfb || !text || this.viewOnly()) return;
    this.rfb.clipboardPasteFrom(text.slice(0, PASTE_MAX));
    this.pasteOpen.set(false);
    this.rfb.focus({ preventScroll: true });
  }

  /** Types the text key by key, for places that do not take a paste (a login prompt). */
  protected typeText(): void {
    const text = this.pasteText.value;
    if (!this.rfb || !text || this.viewOnly()) return;
    for (const keysym of keysymsFor(text.slice(0, TYPE_MAX))) this.rfb.sendKey(keysym, null);
    this.pasteOpen.set(false);
    this.rfb.focus({ preventScroll: true });
  }

  protected sendPassword(): void {
    if (!this.rfb) return;
    this.rfb.sendCredentials({ password: this.password.value });
    this.password.reset();
    this.state.set('connecting');
  }

  protected reconnect(): void {
    void this.viewer.reconnect();
  }

  /** Dials with a new token once the screen is allowed; hangs up when it no longer is. */
  private follow(ticket: ChannelTicket | null): void {
    if (!ticket) {
      this.attempt++;
      this.hangUp();
      this.state.set('waiting');
      return;
    }
    if (ticket.token === this.dialled) return;
    this.dialled = ticket.token;
    void this.connect(ticket);
  }

  private async connect(ticket: ChannelTicket): Promise<void> {
    const attempt = ++this.attempt;
    this.hangUp();
    this.state.set('connecting');
    this.message.set('');
    this.sessionOver.set(false);

    let Rfb: typeof RFB;
    try {
      Rfb = (await import('@novnc/novnc')).default;
    } catch (error: unknown) {
      console.error('Could not load the screen viewer', error);
      if (attempt !== this.attempt) return;
      this.closed('The screen viewer could not be loaded. Reload this window.', false);
      return;
    }
    if (attempt !== this.attempt) return;

    const relay = new RelaySocket(ticket.url, ticket.sessionId, ticket.token, 'screen');
    const rfb = new Rfb(this.screen().nativeElement, relay.socket, { shared: true });
    rfb.viewOnly = this.viewOnly();
    rfb.scaleViewport = this.scaled();
    rfb.clipViewport = false;
    rfb.resizeSession = false;
    rfb.focusOnClick = true;
    rfb.background = 'transparent';
    const preset = screenQualityPreset(this.quality());
    rfb.qualityLevel = preset.qualityLevel;
    rfb.compressionLevel = preset.compressionLevel;
    this.relay = relay;
    this.rfb = rfb;
    this.reflectQuality();

    let refusal = '';
    rfb.addEventListener('connect', () => {
      if (attempt !== this.attempt) return;
      this.state.set('connected');
      if (this.active()) rfb.focus({ preventScroll: true });
    });
    rfb.addEventListener('credentialsrequired', () => {
      if (attempt === this.attempt) this.state.set('password');
    });
    rfb.addEventListener('securityfailure', (event) => {
      refusal = event.detail.reason
        ? `The VNC server on the device refused the connection: ${event.detail.reason}`
        : 'The VNC server on the device refused the connection (wrong password?).';
    });
    rfb.addEventListener('desktopname', (event) => this.desktopName.set(event.detail.name));
    rfb.addEventListener('clipboard', (event) => {
      if (attempt === this.attempt) this.receiveClipboard(event.detail.text);
    });
    rfb.addEventListener('disconnect', () => {
      void relay.closed.then((close) => {
        if (attempt !== this.attempt || relay.intentional) return;
        this.rfb = null;
        this.relay = null;
        const explained = explainRelayClose(close, ticket.expiresAt, Date.now());
        this.closed(refusal || explained.message, explained.sessionOver);
        // The device or the portal may have ended the session: find out, and say how.
        void this.viewer.refresh();
      });
    });
  }

  private closed(message: string, sessionOver: boolean): void {
    this.message.set(message);
    this.sessionOver.set(sessionOver);
    this.desktopName.set('');
    this.state.set('closed');
  }

  private hangUp(): void {
    const rfb = this.rfb;
    this.relay?.close();
    this.rfb = null;
    this.relay = null;
    this.desktopName.set('');
    if (rfb) {
      try {
        rfb.disconnect();
      } catch (error: unknown) {
        console.warn('The screen did not disconnect cleanly', error);
      }
    }
  }
}
