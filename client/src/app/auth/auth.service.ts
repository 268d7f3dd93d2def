import { computed, inject, Injectable, signal } from '@angular/core';
import { Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { ApiError, toApiError } from '../core/api-error';
import { AuthApiService, LoginRequest } from './auth-api.service';
import { roleIn, UserDto } from './user.model';

/**
 * Who is signed in. `user` is the single source of truth for the UI; guards call
 * {@link ensureSession} which asks the portal (`GET /api/auth/me`) once per page load.
 */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly api = inject(AuthApiService);
  private readonly router = inject(Router);

  private readonly currentUser = signal<UserDto | null>(null);
  private session: Promise<UserDto | null> | null = null;

  /** The signed-in user, or null. */
  readonly user = this.currentUser.asReadonly();
  readonly isAdmin = computed(() => this.currentUser()?.role === 'admin');
  /**
   * May do support work: create links, start, connect to and end sessions, reach devices. False for
   * an auditor, who only reads (the portal refuses them the same routes with `role_not_allowed`).
   */
  readonly canOperate = computed(() => {
    const user = this.currentUser();
    return user !== null && roleIn('operators', user.role);
  });

  /** Resolves to the signed-in user or null. Network/server failures reject and are retried next time. */
  ensureSession(): Promise<UserDto | null> {
    this.session ??= firstValueFrom(this.api.me()).then(
      (user) => {
        this.currentUser.set(user);
        return user;
      },
      (failure: unknown) => {
        const error = toApiError(failure);
        if (error.status === 401) {
          this.currentUser.set(null);
          return null;
        }
        this.session = null;
        throw error;
      },
    );
    return this.session;
  }

  /** Signs in; rejects with an {@link ApiError} (`invalid_credentials`, `rate_limited`, …). */
  async login(credentials: LoginRequest): Promise<UserDto> {
    try {
      const user = await firstValueFrom(this.api.login(credentials));
      this.currentUser.set(user);
      this.session = Promise.resolve(user);
      return user;
    } catch (failure: unknown) {
      throw toApiError(failure);
    }
  }

  /** Ends the session on the server (best effort) and returns to the login page. */
  async logout(): Promise<void> {
    try {
      await firstValueFrom(this.api.logout());
    } catch (failure: unknown) {
      // The cookie may already be gone (401) or the server unreachable; either way we forget locally.
      if (!(failure instanceof ApiError)) console.warn('Logout request failed', failure);
    }
    this.forgetSession();
    await this.router.navigateByUrl('/login');
  }

  /** Drops the local session (after a 401 from the API). */
  forgetSession(): void {
    this.currentUser.set(null);
    this.session = Promise.resolve(null);
  }
}
