import { HttpClient, HttpContext } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import type { CreateInstallerRequest, InstallerCommandView } from '../../../../../contracts/api/installers';
import { OsName } from '../../shared/os';

/** `POST /api/installers`: the portal's own shape (contracts/api/installers.ts). */
export type { InstallerCommandView as InstallerCommand } from '../../../../../contracts/api/installers';

interface RequestOptions {
  context?: HttpContext;
}

/** `/api/installers` (admins only): persistent-agent install commands. */
@Injectable({ providedIn: 'root' })
export class InstallersApiService {
  private readonly http = inject(HttpClient);

  /** 201 → a command bound to a fresh one-shot token; 503 `agent_not_built` when the agent is missing. */
  create(os: OsName, options: RequestOptions = {}): Observable<InstallerCommandView> {
    const body: CreateInstallerRequest = { os };
    return this.http.post<InstallerCommandView>('/api/installers', body, options);
  }
}
