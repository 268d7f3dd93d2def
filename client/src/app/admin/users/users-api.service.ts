import { HttpClient, HttpContext } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { map, Observable } from 'rxjs';

import { UserDto, UserRole } from '../../auth/user.model';

/** Limits enforced by the portal (src/users/dto/user.dto.ts); the forms mirror them. */
export const USER_LIMITS = {
  emailMax: 254,
  displayNameMax: 100,
  passwordMin: 12,
  passwordMax: 256,
} as const;

export interface CreateUserRequest {
  email: string;
  displayName: string;
  role: UserRole;
  /** Omit to let the server generate one (returned once as `initialPassword`). */
  password?: string;
}

export interface CreateUserResponse {
  user: UserDto;
  /** Present only when the server generated the password. It is never retrievable again. */
  initialPassword?: string;
}

export interface UpdateUserRequest {
  displayName?: string;
  role?: UserRole;
  /** true signs the user out everywhere. */
  disabled?: boolean;
  password?: string;
}

interface UserListResponse {
  items: UserDto[];
}

interface RequestOptions {
  context?: HttpContext;
}

/** `/api/users` (admins only): technician accounts. */
@Injectable({ providedIn: 'root' })
export class UsersApiService {
  private readonly http = inject(HttpClient);

  list(): Observable<UserDto[]> {
    return this.http.get<UserListResponse>('/api/users').pipe(map((response) => response.items));
  }

  /** 201; 409 `email_taken`; 400 `validation_failed`. */
  create(body: CreateUserRequest, options: RequestOptions = {}): Observable<CreateUserResponse> {
    return this.http.post<CreateUserResponse>('/api/users', body, options);
  }

  /** 200 → the updated user; 409 `cannot_change_self` / `last_admin`. */
  update(id: string, changes: UpdateUserRequest, options: RequestOptions = {}): Observable<UserDto> {
    return this.http.patch<UserDto>(`/api/users/${encodeURIComponent(id)}`, changes, options);
  }

  /** 204; 409 `cannot_change_self` / `last_admin`. */
  remove(id: string, options: RequestOptions = {}): Observable<void> {
    return this.http.delete<void>(`/api/users/${encodeURIComponent(id)}`, options);
  }
}
