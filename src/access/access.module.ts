import { Module } from '@nestjs/common';
import { AccessGuard } from './access.guard';
import { AccessQueries } from './access.queries';
import { AccessService } from './access.service';
import { AccessWithdrawals } from './access-withdrawals';
import { RoleGuard } from './role.guard';

/**
 * Who may call which route: the role check every signed-in route declares ({@link RoleGuard}, a global
 * guard the app module registers), and technician isolation: who may act on which quick-support
 * session, remote session and device.
 * Modules whose routes use the access decorators import this module (the decorators apply
 * {@link AccessGuard}, which needs {@link AccessService}). It reads the sessions, devices and grants
 * tables with its own SQL ({@link AccessQueries}) and imports no feature module, so every feature
 * module may import it.
 * {@link AccessWithdrawals} carries "this technician lost reach to these devices" from the modules
 * that change reach to the one that ends what was open.
 */
@Module({
  providers: [AccessService, AccessQueries, AccessGuard, RoleGuard, AccessWithdrawals],
  exports: [AccessService, AccessGuard, RoleGuard, AccessWithdrawals],
})
export class AccessModule {}
