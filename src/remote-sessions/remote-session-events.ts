import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { RemoteSessionDto } from './dto/remote-session.dto';

export type RemoteSessionEvent =
  | { type: 'remote_session.created'; session: RemoteSessionDto }
  | { type: 'remote_session.updated'; session: RemoteSessionDto };

/** In-process stream of remote-session changes, published after the change commits. */
@Injectable()
export class RemoteSessionEvents implements OnModuleDestroy {
  private readonly subject = new Subject<RemoteSessionEvent>();

  get stream(): Observable<RemoteSessionEvent> {
    return this.subject.asObservable();
  }

  publish(event: RemoteSessionEvent): void {
    this.subject.next(event);
  }

  onModuleDestroy(): void {
    this.subject.complete();
  }
}
