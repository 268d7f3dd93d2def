import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { map, Observable } from 'rxjs';

import type { LoginRequest, LoginResultView } from '../../../../contracts/api/users';
import { showsOwnErrors } from '../core/http-context';
import { UserDto } from './user.model';

export type { LoginRequest } from '../../../../contracts/api/users';

/** `/api/auth`: sign in, sign out, who am I. The session lives in an HttpOnly cookie. */
@Injectable({ providedIn: 'root' })
export class AuthApiService {
  private readonly http = inject(HttpClient);

  /** 200 → the user; 401 `invalid_credentials`; 429 `rate_limited` with Retry-After. */
  login(body: LoginRequest): Observable<UserDto> {
    return this.http
      .post<LoginResultView>('/api/auth/login', body, { context: showsOwnErrors() })
      .pipe(map((response) => response.user));
  }

  logout(): Observable<void> {
    return this.http.post<void>('/api/auth/logout', null, { context: showsOwnErrors() });
  }

  /** 200 → the signed-in user; 401 `unauthenticated` when there is no session. */
  me(): Observable<UserDto> {
    return this.http.get<UserDto>('/api/auth/me');
  }
}
