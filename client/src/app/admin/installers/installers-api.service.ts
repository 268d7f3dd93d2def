import { HttpClient, HttpContext } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { OsName } from '../../shared/os';

/** `POST /api/installers` (src/installers/dto/installer.dto.ts). */
export interface InstallerCommand {
  os: OsName;
  mode: 'persistent';
  /** One line to paste on the device, elevated. It holds a one-shot token: show it to admins only. */
  command: string;
  /** Where to paste it, in words. */
  steps: string;
  /** The command fetches its script from here, with the token in an Authorization header. */
  scriptUrl: string;
  expiresAt: string;
  /** The command that removes the agent again, when the portal provides one. */
  uninstallCommand?: string | null;
}

interface RequestOptions {
  context?: HttpContext;
}

/** `/api/installers` (admins only): persistent-agent install commands. */
@Injectable({ providedIn: 'root' })
export class InstallersApiService {
  private readonly http = inject(HttpClient);

  /** 201 → a command bound to a fresh one-shot token; 503 `agent_not_built` when the agent is missing. */
  create(os: OsName, options: RequestOptions = {}): Observable<InstallerCommand> {
    return this.http.post<InstallerCommand>('/api/installers', { os }, options);
  }
}
