import { ChangeDetectionStrategy, Component, computed, inject, OnInit, signal } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';
import { MatSelectChange, MatSelectModule } from '@angular/material/select';
import { firstValueFrom } from 'rxjs';

import { NotificationService } from '../../core/notification.service';
import {
  CONSENT_POLICIES,
  CONSENT_POLICY_TEXT,
  ConsentPolicy,
  DEVICE_KIND_LABELS,
  Device,
  compareDevices,
} from '../../devices/device.model';
import { DevicesApiService } from '../../devices/devices-api.service';
import { ListLoader } from '../../shared/list-loader';
import { LoadStateComponent } from '../../shared/load-state.component';
import { OS_LABELS } from '../../shared/os';
import { PageHeaderComponent } from '../../shared/page-header.component';
import { ReloadButtonComponent } from '../../shared/reload-button.component';

/**
 * Admin → Devices: every device with an agent and its consent policy, which an admin changes per
 * persistent device (a quick-support device always asks). Hostnames came from agents: text only.
 */
@Component({
  selector: 'app-devices-page',
  imports: [LoadStateComponent, MatIconModule, MatSelectModule, PageHeaderComponent, ReloadButtonComponent],
  templateUrl: './devices-page.component.html',
  styleUrl: './devices-page.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DevicesPageComponent implements OnInit {
  private readonly api = inject(DevicesApiService);
  private readonly notifications = inject(NotificationService);

  protected readonly policies = CONSENT_POLICIES;
  protected readonly policyText = CONSENT_POLICY_TEXT;
  protected readonly kindLabels = DEVICE_KIND_LABELS;
  protected readonly osLabels = OS_LABELS;

  protected readonly devices = signal<Device[]>([]);
  protected readonly list = new ListLoader({
    fetch: () => this.api.list(),
    apply: (result) => this.devices.set([...result.items].sort(compareDevices)),
    isEmpty: () => this.devices().length === 0,
  });
  protected readonly busy = this.list.busy;
  protected readonly summary = computed(() => {
    const all = this.devices();
    const online = all.filter((d) => d.online).length;
    return `${all.length} ${all.length === 1 ? 'device' : 'devices'} · ${online} online`;
  });

  ngOnInit(): void {
    void this.load();
  }

  protected load(): Promise<void> {
    return this.list.load();
  }

  /** Sets the policy; when the portal refuses, the select goes back to what the device has. */
  protected async setPolicy(device: Device, change: MatSelectChange<ConsentPolicy>): Promise<void> {
    const policy = change.value;
    const done = await this.list.whileBusy(device.id, async () => {
      const updated = await firstValueFrom(this.api.setConsentPolicy(device.id, policy));
      this.devices.update((all) => all.map((d) => (d.id === updated.id ? updated : d)));
      this.notifications.success(
        `${updated.hostname} now uses “${CONSENT_POLICY_TEXT[updated.consentPolicy].label}”.`,
      );
    });
    if (!done) change.source.value = device.consentPolicy;
  }
}
