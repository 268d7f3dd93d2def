import { createEnvironmentInjector, EnvironmentInjector, inject, Injectable } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import { firstValueFrom } from 'rxjs';

import { toApiError } from '../core/api-error';
import { showsOwnErrors } from '../core/http-context';
import { NotificationService } from '../core/notification.service';
import { RemoteSessionsApiService } from '../remote-sessions/remote-sessions-api.service';
import { RemoteSessionsStore } from '../remote-sessions/remote-sessions.store';
import {
  StartSessionDialogComponent,
  StartSessionDialogData,
} from '../remote-sessions/start-session-dialog.component';
import { ViewerWindowsService } from '../remote-sessions/viewer-windows.service';
import { connectBlocker } from './quick-connect';
import type { SupportSession } from './quick-support.model';

/** Refusals the launcher lets the technician get past by choosing otherwise (another protocol). */
const NEEDS_A_CHOICE = new Set(['protocol_unavailable']);

/**
 * Connect from the Quick-Support queue: one click starts an attended Web session on the session's
 * device and opens the viewer on it. When the portal refuses the default for a reason a choice can
 * fix, the Start-session launcher opens with the device chosen instead.
 */
@Injectable({ providedIn: 'root' })
export class QuickConnectService {
  private readonly api = inject(RemoteSessionsApiService);
  private readonly viewers = inject(ViewerWindowsService);
  private readonly notifications = inject(NotificationService);
  private readonly dialog = inject(MatDialog);
  private readonly environment = inject(EnvironmentInjector);
  private readonly starting = new Set<string>();

  /** Starts a session on the support session's device and opens its viewer. */
  async connect(session: SupportSession): Promise<void> {
    const device = session.device;
    const blocker = connectBlocker(session);
    if (blocker || !device || this.starting.has(device.id)) {
      if (blocker) this.notifications.error(blocker);
      return;
    }
    // Opened now, while the click still counts as a user gesture (see ViewerWindowsService.reserve).
    const viewer = this.viewers.reserve();
    if (!viewer.opened) {
      this.notifications.error(
        'Your browser blocked the viewer window. Allow pop-ups for this site, then click Connect again.',
      );
      return;
    }
    this.starting.add(device.id);
    try {
      const started = await firstValueFrom(
        this.api.start(
          { deviceId: device.id, type: 'attended', protocol: 'web', recordingEnabled: false },
          { context: showsOwnErrors() },
        ),
      );
      viewer.show(started.session.id);
      this.notifications.success(`Connecting to ${started.session.deviceName}…`);
    } catch (caught: unknown) {
      viewer.cancel();
      const error = toApiError(caught);
      if (NEEDS_A_CHOICE.has(error.code)) this.openLauncher(device.id);
      else this.notifications.error(error.message);
    } finally {
      this.starting.delete(device.id);
    }
  }

  /** The Start-session launcher with the device chosen (type, protocol, reason, recording left to choose). */
  openLauncher(deviceId: string): void {
    // The launcher reads its devices from the Remote Sessions page's store: give it one of its own.
    const injector = createEnvironmentInjector([RemoteSessionsStore], this.environment);
    void injector.get(RemoteSessionsStore).loadDevices();
    const ref = this.dialog.open<StartSessionDialogComponent, StartSessionDialogData>(
      StartSessionDialogComponent,
      {
        data: { deviceId },
        width: '600px',
        maxWidth: 'calc(100vw - 32px)',
        injector,
        autoFocus: 'first-tabbable',
      },
    );
    ref.afterClosed().subscribe(() => injector.destroy());
  }
}
