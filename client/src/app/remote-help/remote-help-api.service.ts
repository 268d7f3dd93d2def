import { HttpClient, HttpContext } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import {
  QuickAssistInstallStarted,
  QuickAssistStarted,
  QuickAssistStatus,
  QuickAssistStopped,
} from './remote-help.model';

interface RequestOptions {
  context?: HttpContext;
}

/** `/api/devices/:id/remotehelp`: Microsoft Quick Assist on a Windows device, prepared by its agent. */
@Injectable({ providedIn: 'root' })
export class RemoteHelpApiService {
  private readonly http = inject(HttpClient);

  /** Readiness; answered even while the device's kill switch is on. */
  status(deviceId: string, options: RequestOptions = {}): Observable<QuickAssistStatus> {
    return this.http.get<QuickAssistStatus>(`${this.base(deviceId)}`, options);
  }

  start(deviceId: string, options: RequestOptions = {}): Observable<QuickAssistStarted> {
    return this.http.post<QuickAssistStarted>(`${this.base(deviceId)}/start`, {}, options);
  }

  stop(deviceId: string, options: RequestOptions = {}): Observable<QuickAssistStopped> {
    return this.http.post<QuickAssistStopped>(`${this.base(deviceId)}/stop`, {}, options);
  }

  /** winget installs Quick Assist (Microsoft Store) as the logged-in user; poll {@link status} afterwards. */
  install(deviceId: string, options: RequestOptions = {}): Observable<QuickAssistInstallStarted> {
    return this.http.post<QuickAssistInstallStarted>(`${this.base(deviceId)}/install`, {}, options);
  }

  private base(deviceId: string): string {
    return `/api/devices/${encodeURIComponent(deviceId)}/remotehelp`;
  }
}
