import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  OnInit,
  signal,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatTabsModule } from '@angular/material/tabs';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Title } from '@angular/platform-browser';

import { AuthService } from '../auth/auth.service';
import { ChatApiService } from '../chat/chat-api.service';
import { SupportChatComponent } from '../chat/support-chat.component';
import { registerAppIcons } from '../core/app-icons';
import { DEVICE_KIND_LABELS } from '../devices/device.model';
import { QuickAssistPanelComponent } from '../remote-help/quick-assist-panel.component';
import {
  endReasonText,
  PROTOCOL_LABELS,
  STATUS_PILLS,
  TYPE_LABELS,
} from '../remote-sessions/remote-sessions.model';
import { confirmAction } from '../shared/confirm-dialog.component';
import { OS_ICONS, OS_LABELS } from '../shared/os';
import { StatusPillComponent } from '../shared/status-pill.component';
import { channelSummary } from './channel-states';
import { viewerEndText } from './viewer-end-text';
import { CommandsTabComponent } from './commands-tab.component';
import { FilesTabComponent } from './files/files-tab.component';
import { elapsedClock, elapsedWords } from './screen-quality';
import { ScreenTabComponent } from './screen-tab.component';
import { ShellTabComponent } from './shell-tab.component';
import { ViewerSessionService } from './viewer-session.service';

type ViewerTab = 'screen' | 'shell' | 'commands' | 'files' | 'chat' | 'quick-assist';

interface TabInfo {
  key: ViewerTab;
  label: string;
  icon: string;
  /** Shown for Windows devices only. */
  windowsOnly?: boolean;
  /** Shown for quick-support devices only (their session has a chat with the customer). */
  quickOnly?: boolean;
}

const TABS: readonly TabInfo[] = [
  { key: 'screen', label: 'Screen', icon: 'desktop' },
  { key: 'shell', label: 'Shell', icon: 'terminal' },
  { key: 'commands', label: 'Commands', icon: 'code' },
  { key: 'files', label: 'Files', icon: 'folder' },
  { key: 'chat', label: 'Chat', icon: 'chat', quickOnly: true },
  { key: 'quick-assist', label: 'Quick Assist', icon: 'headset', windowsOnly: true },
];

/**
 * The viewer: a locked pop-up window (opened by Connect; rendered without the dashboard's frame)
 * titled "Remote · <device>", with the Screen, Shell, Commands and Files tabs (and Quick Assist for a
 * Windows device) and End session. Every
 * tab stays alive while hidden, so switching tabs keeps the screen and shell connected; the relay
 * closes a side that leaves, and the portal ends a session whose viewer never came.
 */
@Component({
  selector: 'app-viewer-page',
  imports: [
    CommandsTabComponent,
    FilesTabComponent,
    MatButtonModule,
    MatIconModule,
    MatProgressSpinnerModule,
    MatTabsModule,
    MatTooltipModule,
    QuickAssistPanelComponent,
    ScreenTabComponent,
    ShellTabComponent,
    StatusPillComponent,
    SupportChatComponent,
  ],
  providers: [ViewerSessionService],
  templateUrl: './viewer-page.component.html',
  styleUrl: './viewer-page.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ViewerPageComponent implements OnInit {
  private readonly dialog = inject(MatDialog);
  private readonly title = inject(Title);
  protected readonly viewer = inject(ViewerSessionService);
  private readonly chatApi = inject(ChatApiService);
  /** Auditors read the chat; technicians and administrators write in it. */
  protected readonly canOperate = inject(AuthService).canOperate;
  /** The quick-support session whose chat the Chat tab shows; null for persistent devices. */
  protected readonly supportSessionId = signal<string | null>(null);
  private chatLookedUp = false;

  /** From the route (`/viewer/:sessionId`). */
  readonly sessionId = input.required<string>();

  protected readonly tabs = computed(() => {
    const windows = this.session()?.deviceOs === 'windows';
    const chat = this.supportSessionId() !== null;
    return TABS.filter((t) => (windows || !t.windowsOnly) && (chat || !t.quickOnly));
  });
  protected readonly tab = signal<ViewerTab>('screen');
  protected readonly ending = signal(false);
  protected readonly session = this.viewer.session;
  protected readonly statusPills = STATUS_PILLS;
  protected readonly heading = computed(() => {
    const session = this.session();
    return session ? `Remote · ${session.deviceName}` : 'Remote session';
  });
  protected readonly osIcon = computed(() => OS_ICONS[this.session()?.deviceOs ?? 'linux'] ?? 'desktop');
  protected readonly details = computed(() => {
    const session = this.session();
    if (!session) return '';
    return [
      OS_LABELS[session.deviceOs] ?? session.deviceOs,
      DEVICE_KIND_LABELS[session.kind] ?? session.kind,
      `${PROTOCOL_LABELS[session.protocol] ?? session.protocol} · ${TYPE_LABELS[session.type] ?? session.type}`,
      session.technician ? `by ${session.technician}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
  });
  /** Each channel's state in a few words ("Screen: waiting, 24 s"), while the session runs. */
  protected readonly channelSummaries = computed(() => {
    const session = this.session();
    if (!session || session.status === 'ended') return [];
    const now = this.viewer.now();
    return session.channelStates.map((view) => channelSummary(view, now));
  });
  /**
   * Time since the technician and the device first met (the session went active), ticking each
   * second while it runs and stopped at its end; null before it went active.
   */
  protected readonly elapsed = computed(() => {
    const session = this.session();
    if (!session?.connectedAt) return null;
    const until = session.endedAt ? Date.parse(session.endedAt) : this.viewer.now();
    const ms = until - Date.parse(session.connectedAt);
    return { clock: elapsedClock(ms), words: elapsedWords(ms) };
  });
  protected readonly endReason = computed(() => {
    const session = this.session();
    return session ? endReasonText(session) : '';
  });
  /** Who or what ended the session, in the header ("The customer ended the session"). */
  protected readonly endedText = computed(() => viewerEndText(this.session(), this.ending()));

  constructor() {
    registerAppIcons();
    effect(() => this.title.setTitle(this.heading()));
    // Ended elsewhere while a question (End session?) is open: the question no longer applies.
    effect(() => {
      if (this.viewer.ended()) this.dialog.closeAll();
    });
    // A quick-support device's session has a chat with the customer: find it once.
    effect(() => {
      const session = this.session();
      if (!session || session.kind !== 'quick' || this.chatLookedUp) return;
      this.chatLookedUp = true;
      this.chatApi.supportSessionOf(session.id).subscribe({
        next: (ref) => this.supportSessionId.set(ref.supportSessionId),
        error: () => this.supportSessionId.set(null),
      });
    });
  }

  ngOnInit(): void {
    void this.viewer.open(this.sessionId());
  }

  protected select(tab: ViewerTab): void {
    this.tab.set(tab);
  }

  protected async end(): Promise<void> {
    const session = this.session();
    if (!session || this.ending()) return;
    const confirmed = await confirmAction(this.dialog, {
      title: `End the session with ${session.deviceName}?`,
      message:
        'The screen, shell, commands and file transfers stop for everyone, and this window closes. To help again later, start a new session.',
      confirmLabel: 'End session',
      destructive: true,
    });
    if (!confirmed) return;
    this.ending.set(true);
    try {
      await this.viewer.end();
    } catch {
      // The interceptor has shown why; the window stays open.
      this.ending.set(false);
      return;
    }
    // Browsers let a script close only the windows a script opened (Connect did); otherwise the
    // ended state stays on screen with its own Close button.
    window.close();
  }

  protected closeWindow(): void {
    window.close();
  }
}
