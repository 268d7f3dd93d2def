import { Controller, MessageEvent, OnModuleDestroy, Sse } from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { filter, interval, map, merge, Observable, Subject, takeUntil } from 'rxjs';
import { DeviceEvents } from '../devices/device-events';
import { QuickSupportEvents } from './quick-support-events';

/** Keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 25_000;

@ApiTags('quick-support')
@ApiCookieAuth()
@Controller('quick-support')
export class QuickSupportEventsController implements OnModuleDestroy {
  /** Completes every open stream at shutdown so the HTTP server can close promptly. */
  private readonly closing = new Subject<void>();

  constructor(
    private readonly quickSupport: QuickSupportEvents,
    private readonly devices: DeviceEvents,
  ) {}

  /**
   * Server-sent events for the dashboard (cookie-authenticated like every /api route). Event names:
   * `session.created` and `session.updated` (data: SupportSessionDto), `note.added` (data:
   * {sessionId, note}), `device.registered` and `device.updated` (data: DeviceDto). A comment line is
   * sent every 25 s to keep the connection open.
   */
  @Sse('events', { maxPendingDataLength: 1024 * 1024 })
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary:
      'Live updates (SSE): session.created, session.updated, note.added, device.registered, device.updated',
  })
  events(): Observable<MessageEvent> {
    const sessions = this.quickSupport.stream.pipe(
      filter((e) => e.type !== 'session.ended'),
      map((e): MessageEvent => {
        switch (e.type) {
          case 'note.added':
            return { type: e.type, data: { sessionId: e.sessionId, note: e.note } };
          case 'session.created':
          case 'session.updated':
            return { type: e.type, data: e.session };
        }
      }),
    );
    const devices = this.devices.stream.pipe(map((e): MessageEvent => ({ type: e.type, data: e.device })));
    const keepalive = interval(KEEPALIVE_MS).pipe(map((): MessageEvent => ({ comment: 'keepalive' })));
    return merge(sessions, devices, keepalive).pipe(takeUntil(this.closing));
  }

  onModuleDestroy(): void {
    this.closing.next();
    this.closing.complete();
  }
}
