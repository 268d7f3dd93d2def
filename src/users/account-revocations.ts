import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';

/**
 * An account lost access, published after the change commits.
 * - `logout`: one login session (`loginSessionId`, the express-session id) ended by its own user.
 * - `password_changed`: the user set their own password; every login of theirs but the one that did it
 *   (`keptLoginSessionId`) is gone.
 * - `disabled`, `removed`, `role_changed`, `password_reset`: an administrator (`actorId`) changed the
 *   account, and every login session of it is gone.
 */
export type AccountRevocation =
  | { kind: 'logout'; userId: string; loginSessionId: string }
  | { kind: 'password_changed'; userId: string; keptLoginSessionId: string }
  | { kind: AdminRevocationKind; userId: string; actorId: string };

export type AdminRevocationKind = 'disabled' | 'removed' | 'role_changed' | 'password_reset';

/**
 * In-process stream of revocations. The users and auth side publish; whoever holds live access for an
 * account (open event streams, remote sessions through the relay) subscribes and ends it at once.
 * Publishing is an event rather than a call so those modules need not be imported here (no cycle).
 */
@Injectable()
export class AccountRevocations implements OnModuleDestroy {
  private readonly subject = new Subject<AccountRevocation>();

  get stream(): Observable<AccountRevocation> {
    return this.subject.asObservable();
  }

  publish(event: AccountRevocation): void {
    this.subject.next(event);
  }

  onModuleDestroy(): void {
    this.subject.complete();
  }
}

/** Whether a revocation ends the given login session of the given user. */
export function revokesLogin(event: AccountRevocation, userId: string, loginSessionId: string): boolean {
  if (event.userId !== userId) return false;
  if (event.kind === 'logout') return event.loginSessionId === loginSessionId;
  if (event.kind === 'password_changed') return event.keptLoginSessionId !== loginSessionId;
  return true;
}
