import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { DeviceDto } from './dto/device.dto';

export type DeviceEvent =
  { type: 'device.registered'; device: DeviceDto } | { type: 'device.updated'; device: DeviceDto };

/** In-process stream of device changes (registrations, online/offline), published after commit. */
@Injectable()
export class DeviceEvents implements OnModuleDestroy {
  private readonly subject = new Subject<DeviceEvent>();

  get stream(): Observable<DeviceEvent> {
    return this.subject.asObservable();
  }

  publish(event: DeviceEvent): void {
    this.subject.next(event);
  }

  onModuleDestroy(): void {
    this.subject.complete();
  }
}
