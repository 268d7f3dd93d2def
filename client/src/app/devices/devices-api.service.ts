import { HttpClient, HttpContext } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { DEVICE_EVENT_TYPES } from '../../../../contracts/api/devices';
import { serverEvents, ServerEventMessage } from '../core/server-events';
import { Device, DeviceList } from './device.model';

interface RequestOptions {
  context?: HttpContext;
}

/** `/api/devices`: the devices a technician can start a remote session with. */
@Injectable({ providedIn: 'root' })
export class DevicesApiService {
  private readonly http = inject(HttpClient);

  /** Online first. */
  list(options: RequestOptions = {}): Observable<DeviceList> {
    return this.http.get<DeviceList>('/api/devices', options);
  }

  /**
   * Devices registering, coming online and going offline, live. The portal publishes them on the
   * quick-support event stream (`device.registered`, `device.updated`), for persistent agents too.
   */
  events(): Observable<ServerEventMessage<Device>> {
    return serverEvents('/api/quick-support/events', DEVICE_EVENT_TYPES, (_type, data) => data as Device);
  }
}
