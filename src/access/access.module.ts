import { Module } from '@nestjs/common';
import { AccessGuard } from './access.guard';
import { AccessService } from './access.service';

/**
 * Technician isolation: who may act on which quick-support session, remote session and device.
 * Modules whose routes use the access decorators import this module (the decorators apply
 * {@link AccessGuard}, which needs {@link AccessService}). It reads the sessions, devices and grants
 * tables with its own SQL and imports no feature module, so every feature module may import it.
 */
@Module({
  providers: [AccessService, AccessGuard],
  exports: [AccessService, AccessGuard],
})
export class AccessModule {}
