import { HttpClient, HttpContext } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { DEVICE_EVENT_TYPES } from '../../../../contracts/api/devices';
import { serverEvents, ServerEventMessage } from '../core/server-events';
import { ConsentPolicy, Device, DeviceList } from './device.model';

interface RequestOptions {
  context?: HttpContext;
}

/** `/api/devices`: the devices a technician can start a remote session with, and their consent policy. */
@Injectable({ providedIn: 'root' })
export class DevicesApiService {
  private readonly http = inject(HttpClient);

  /** Online first. */
  list(options: RequestOptions = {}): Observable<DeviceList> {
    return this.http.get<DeviceList>('/api/devices', options);
  }

  /**
   * Sets a persistent device's consent policy (admins). 200 → the device; 409 `conflict` for a
   * quick-support device (it always asks); 503 `audit_unavailable` when the change cannot be audited.
   */
  setConsentPolicy(id: string, policy: ConsentPolicy, options: RequestOptions = {}): Observable<Device> {
    return this.http.patch<Device>(
      `/api/devices/${encodeURIComponent(id)}/consent-policy`,
      { policy },
      options,
    );
  }

  /**
   * Devices registering, coming online and going offline, live. The portal publishes them on the
   * quick-support event stream (`device.registered`, `device.updated`), for persistent agents too.
   */
  events(): Observable<ServerEventMessage<Device>> {
    return serverEvents('/api/quick-support/events', DEVICE_EVENT_TYPES, (_type, data) => data as Device);
  }
}
