import { HttpClient, HttpContext } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { map, Observable } from 'rxjs';

import type {
  TechnicianListView,
  TechnicianView,
  CreatedUserView,
  CreateUserRequest,
  UpdateUserRequest,
  UserListView,
} from '../../../../../contracts/api/users';
import { UserDto } from '../../auth/user.model';

/** Limits enforced by the portal (src/users/dto/user.dto.ts); the forms check them too. */
export {
  USER_LIMITS,
  type CreatedUserView as CreateUserResponse,
  type CreateUserRequest,
  type UpdateUserRequest,
} from '../../../../../contracts/api/users';

interface RequestOptions {
  context?: HttpContext;
}

/** `/api/users` (admins only): technician accounts. */
@Injectable({ providedIn: 'root' })
export class UsersApiService {
  private readonly http = inject(HttpClient);

  /** Enabled administrators and technicians by name: whom a support session can be handed to. */
  technicians(options: { context?: HttpContext } = {}): Observable<TechnicianView[]> {
    return this.http
      .get<TechnicianListView>('/api/users/technicians', options)
      .pipe(map((response) => response.items));
  }

  list(): Observable<UserDto[]> {
    return this.http.get<UserListView>('/api/users').pipe(map((response) => response.items));
  }

  /** 201; 409 `email_taken`; 400 `validation_failed`. */
  create(body: CreateUserRequest, options: RequestOptions = {}): Observable<CreatedUserView> {
    return this.http.post<CreatedUserView>('/api/users', body, options);
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
