import { Controller, Logger, MessageEvent, OnModuleDestroy, Sse } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  concatMap,
  EMPTY,
  filter,
  from,
  interval,
  map,
  merge,
  Observable,
  of,
  Subject,
  takeUntil,
} from 'rxjs';
import type { QuickSupportStreamEvent } from '../../contracts/api/quick-support';
import { TeamView } from '../access/access.decorator';
import { isAdmin } from '../access/access-rules';
import { AccessService } from '../access/access.service';
import type { AuthUser } from '../common/auth-user';
import { CurrentUser } from '../common/decorators';
import { DeviceEvents, type DeviceEvent } from '../devices/device-events';
import { QuickSupportEvents } from './quick-support-events';
import { viewSupportSession } from './support-session.view';

/** Keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 25_000;

@ApiTags('quick-support')
@Controller('quick-support')
export class QuickSupportEventsController implements OnModuleDestroy {
  private readonly logger = new Logger(QuickSupportEventsController.name);
  /** Completes every open stream at shutdown so the HTTP server can close promptly. */
  private readonly closing = new Subject<void>();

  constructor(
    private readonly quickSupport: QuickSupportEvents,
    private readonly devices: DeviceEvents,
    private readonly access: AccessService,
  ) {}

  /**
   * Server-sent events for the dashboard (cookie-authenticated like every /api route). Event names:
   * `session.created` and `session.updated` (data: SupportSessionDto), `note.added` (data:
   * {sessionId, note}), `chat.message` (data: {sessionId, message}), `device.registered` and `device.updated` (data: DeviceDto). A comment line is
   * sent every 25 s to keep the connection open.
   *
   * Each stream shows its own technician what the REST routes would: sessions another technician owns
   * come without their link and notes, their customers' notes and chat messages are not sent, and device events only
   * for devices the technician may reach (admins get everything).
   */
  @Sse('events', { maxPendingDataLength: 1024 * 1024 })
  @TeamView()
  @ApiOperation({
    summary:
      'Live updates (SSE): session.created, session.updated, note.added, chat.message, device.registered, device.updated — as you may see them',
  })
  @ApiOkResponse({
    description:
      'Server-sent events (QuickSupportStreamEvent, contracts/api/quick-support.ts): `session.created` and `session.updated` (data: SupportSessionDto, without the link and notes of sessions you do not own), `note.added` (data: `{ sessionId, note: SupportNoteDto }`, your sessions only), `chat.message` (data: `{ sessionId, message: ChatMessageView }`, the session’s holder and administrators), `device.registered` and `device.updated` (data: DeviceDto, devices you may reach). A `: keepalive` comment every 25 s. The stream closes when the login ends.',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  events(@CurrentUser() user: AuthUser): Observable<MessageEvent> {
    const sessions = this.quickSupport.stream.pipe(
      concatMap((e): Observable<MessageEvent> => {
        switch (e.type) {
          case 'session.ended':
            return EMPTY;
          case 'note.added':
            return isAdmin(user) || e.ownerId === user.id
              ? of<QuickSupportStreamEvent>({ type: e.type, data: { sessionId: e.sessionId, note: e.note } })
              : EMPTY;
          case 'chat.message':
            return isAdmin(user) || e.ownerId === user.id
              ? of<QuickSupportStreamEvent>({
                  type: e.type,
                  data: { sessionId: e.sessionId, message: e.message },
                })
              : EMPTY;
          case 'session.created':
          case 'session.updated':
            return of<QuickSupportStreamEvent>({ type: e.type, data: viewSupportSession(user, e.session) });
        }
      }),
    );
    const devices = this.devices.stream.pipe(
      concatMap((e) => from(this.reachable(user, e))),
      filter((e): e is DeviceEvent => e !== null),
      map((e): QuickSupportStreamEvent => ({ type: e.type, data: e.device })),
    );
    const keepalive = interval(KEEPALIVE_MS).pipe(map((): MessageEvent => ({ comment: 'keepalive' })));
    return merge(sessions, devices, keepalive).pipe(takeUntil(this.closing));
  }

  onModuleDestroy(): void {
    this.closing.next();
    this.closing.complete();
  }

  /** The event if this technician may reach its device; null otherwise, and when that cannot be checked. */
  private async reachable(user: AuthUser, e: DeviceEvent): Promise<DeviceEvent | null> {
    try {
      return (await this.access.canReachDevice(user, e.device.id)) ? e : null;
    } catch (err) {
      this.logger.warn(
        `Device event withheld from a stream (access check failed): ${err instanceof Error ? err.message : String(err)}`,
      );
      return null;
    }
  }
}
