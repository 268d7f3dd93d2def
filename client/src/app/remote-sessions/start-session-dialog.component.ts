import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, effect, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatTooltipModule } from '@angular/material/tooltip';
import { firstValueFrom } from 'rxjs';

import { toApiError } from '../core/api-error';
import { showsOwnErrors } from '../core/http-context';
import { NotificationService } from '../core/notification.service';
import { Device, DEVICE_KIND_LABELS, deviceTitle } from '../devices/device.model';
import { RecordingsApiService } from '../recordings/recordings-api.service';
import { QuickAssistPanelComponent } from '../remote-help/quick-assist-panel.component';
import { OS_ICONS, OS_LABELS } from '../shared/os';
import { RemoteSessionsApiService } from './remote-sessions-api.service';
import {
  PROTOCOL_CAPTIONS,
  PROTOCOL_HINTS,
  PROTOCOL_LABELS,
  PROTOCOLS,
  protocolUnavailable,
  RemoteProtocol,
  RemoteSessionType,
  REMOTE_SESSION_LIMITS,
} from './remote-sessions.model';
import { RemoteSessionsStore } from './remote-sessions.store';
import { ViewerWindowsService } from './viewer-windows.service';

export interface StartSessionDialogData {
  /** Preselects this device. */
  deviceId?: string;
}

/** One line of text: what the portal accepts as a reason. */
const ONE_LINE = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;

/**
 * The Start-session launcher: device (with its online state, live), type, protocol, an optional
 * reason and the recording flag; for a Windows device, Microsoft Quick Assist as the alternative. Starting opens the viewer window at once; the viewer then fetches
 * its own relay tokens, so none of them pass through this window.
 */
@Component({
  selector: 'app-start-session-dialog',
  imports: [
    MatButtonModule,
    MatButtonToggleModule,
    MatCheckboxModule,
    MatDialogModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatSelectModule,
    MatTooltipModule,
    QuickAssistPanelComponent,
    ReactiveFormsModule,
  ],
  templateUrl: './start-session-dialog.component.html',
  styleUrl: './start-session-dialog.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class StartSessionDialogComponent {
  private readonly api = inject(RemoteSessionsApiService);
  private readonly recordings = inject(RecordingsApiService);
  private readonly viewers = inject(ViewerWindowsService);
  private readonly notifications = inject(NotificationService);
  private readonly dialogRef = inject<MatDialogRef<StartSessionDialogComponent>>(MatDialogRef);
  private readonly data = inject<StartSessionDialogData | null>(MAT_DIALOG_DATA, { optional: true });
  protected readonly store = inject(RemoteSessionsStore);
  private readonly dates = new DatePipe('en-US');

  protected readonly limits = REMOTE_SESSION_LIMITS;
  protected readonly protocols = PROTOCOLS;
  protected readonly protocolLabels = PROTOCOL_LABELS;
  protected readonly protocolCaptions = PROTOCOL_CAPTIONS;
  protected readonly protocolHints = PROTOCOL_HINTS;
  protected readonly osLabels = OS_LABELS;
  protected readonly osIcons = OS_ICONS;
  protected readonly kindLabels = DEVICE_KIND_LABELS;

  protected readonly form = inject(NonNullableFormBuilder).group({
    deviceId: [this.data?.deviceId ?? '', [Validators.required]],
    type: ['attended' as RemoteSessionType, [Validators.required]],
    protocol: ['web' as RemoteProtocol, [Validators.required]],
    reason: ['', [Validators.maxLength(REMOTE_SESSION_LIMITS.reasonMax), Validators.pattern(ONE_LINE)]],
    recordingEnabled: [false],
  });
  protected readonly submitting = signal(false);
  /**
   * The administrator's recording policy (`GET /api/recordings/settings`): `off` hides the checkbox,
   * `required` ticks and locks it, `optional` leaves the choice. Until it is known (or if it cannot be
   * read) the choice is offered; the portal applies the policy either way.
   */
  protected readonly recordingPolicy = signal<'off' | 'optional' | 'required'>('optional');
  protected readonly failure = signal<string | null>(null);
  /** The Quick Assist alternative is folded away until asked for (it queries the device). */
  protected readonly quickAssistOpen = signal(false);

  private readonly deviceId = toSignal(this.form.controls.deviceId.valueChanges, {
    initialValue: this.form.controls.deviceId.value,
  });
  private readonly protocol = toSignal(this.form.controls.protocol.valueChanges, {
    initialValue: this.form.controls.protocol.value,
  });
  /** The chosen device as it is now (it may go offline while the dialog is open). */
  protected readonly device = computed<Device | undefined>(() => {
    const id = this.deviceId();
    return this.store.devices().find((device) => device.id === id);
  });
  protected readonly onlineCount = computed(() => this.store.devices().filter((d) => d.online).length);
  /** Why the chosen device cannot take a session now, or null. */
  protected readonly deviceProblem = computed(() => {
    const device = this.device();
    if (!device) return null;
    if (!device.online) return 'This device is offline: its agent is not connected.';
    if (device.killSwitch) return 'The person at this device has turned remote control off.';
    return null;
  });
  protected readonly protocolHint = computed(() => {
    const protocol = this.protocol();
    return protocolUnavailable(protocol, this.device()?.os ?? null) ?? this.protocolHints[protocol];
  });

  constructor() {
    this.recordings
      .settings()
      .pipe(takeUntilDestroyed())
      .subscribe({
        next: (settings) => this.applyRecordingPolicy(settings.policy),
        error: (err: unknown) => console.warn('The recording policy could not be read', err),
      });
    // A protocol the chosen device cannot do (SSH on Windows) falls back to Web.
    effect(() => {
      const os = this.device()?.os ?? null;
      if (protocolUnavailable(this.protocol(), os)) this.form.controls.protocol.setValue('web');
    });
  }

  private applyRecordingPolicy(policy: 'off' | 'optional' | 'required'): void {
    this.recordingPolicy.set(policy);
    const control = this.form.controls.recordingEnabled;
    if (policy === 'required') {
      control.setValue(true);
      control.disable();
    } else {
      if (policy === 'off') control.setValue(false);
      control.enable();
    }
  }

  protected unavailable(protocol: RemoteProtocol): string | null {
    return protocolUnavailable(protocol, this.device()?.os ?? null);
  }

  protected deviceLine(device: Device): string {
    return `${this.osLabels[device.os] ?? device.os} · ${this.kindLabels[device.kind] ?? device.kind}`;
  }

  /** The name the technician knows the device by: the customer's, then its host name. */
  protected deviceTitle(device: Device): string {
    return deviceTitle(device);
  }

  /** "Quick-support session of 3 Dec, 10:32" (so two DESKTOP-… machines differ), or nothing. */
  protected supportLine(device: Device): string {
    const created = device.supportSession?.createdAt;
    return created ? `session of ${this.dates.transform(created, 'd MMM, HH:mm')}` : '';
  }

  protected async submit(): Promise<void> {
    if (this.submitting()) return;
    if (this.form.invalid || this.deviceProblem()) {
      this.form.markAllAsTouched();
      return;
    }
    const { deviceId, type, protocol, reason, recordingEnabled } = this.form.getRawValue();
    const trimmed = reason.trim();

    // Opened now, while the click still counts as a user gesture; pointed at the session below. A
    // session nobody can watch would only time out, so a blocked pop-up stops here.
    const viewer = this.viewers.reserve();
    if (!viewer.opened) {
      this.failure.set(
        'Your browser blocked the viewer window. Allow pop-ups for this site, then click Start session again.',
      );
      return;
    }
    this.submitting.set(true);
    this.dialogRef.disableClose = true;
    this.failure.set(null);
    try {
      const started = await firstValueFrom(
        this.api.start(
          { deviceId, type, protocol, recordingEnabled, ...(trimmed ? { reason: trimmed } : {}) },
          { context: showsOwnErrors() },
        ),
      );
      this.store.added(started.session);
      viewer.show(started.session.id);
      this.notifications.success(`Remote session with ${started.session.deviceName} started.`);
      this.dialogRef.close(started.session);
    } catch (caught: unknown) {
      viewer.cancel();
      this.failure.set(toApiError(caught).message);
    } finally {
      this.submitting.set(false);
      this.dialogRef.disableClose = false;
    }
  }
}
