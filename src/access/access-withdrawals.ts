import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';

/**
 * A technician lost reach to devices, published after the change commits.
 * - `grant_withdrawn`: an administrator (`actorId`) withdrew the technician's grant to a persistent device.
 * - `support_session_reassigned`: `actorId` handed a quick-support session the technician owned to
 *   someone else; `deviceIds` are the devices that session serves.
 * Only a real change is published: reassigning to the same technician is not one.
 */
export interface AccessWithdrawal {
  kind: 'grant_withdrawn' | 'support_session_reassigned';
  userId: string;
  deviceIds: string[];
  actorId: string;
}

/**
 * In-process stream of withdrawn device reach. The devices and quick-support side publish; the remote
 * sessions side subscribes and ends what the technician still has open on those devices. Like
 * AccountRevocations it is an event rather than a call, and it lives here in the access module (which
 * imports no feature module) so that neither side needs the other: no cycle.
 */
@Injectable()
export class AccessWithdrawals implements OnModuleDestroy {
  private readonly subject = new Subject<AccessWithdrawal>();

  get stream(): Observable<AccessWithdrawal> {
    return this.subject.asObservable();
  }

  publish(event: AccessWithdrawal): void {
    this.subject.next(event);
  }

  onModuleDestroy(): void {
    this.subject.complete();
  }
}
