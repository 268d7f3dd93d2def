import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { AccessModule } from './access/access.module';
import { RoleGuard } from './access/role.guard';
import { AgentControlModule } from './agent-control/agent-control.module';
import { AgentRegistrationModule } from './agent-registration/agent-registration.module';
import { AuditModule } from './audit/audit.module';
import { AuditLogModule } from './audit-log/audit-log.module';
import { AuthModule } from './auth/auth.module';
import { BrandingModule } from './branding/branding.module';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { CsrfGuard } from './common/guards/csrf.guard';
import { SessionAuthGuard } from './common/guards/session-auth.guard';
import { RateLimitMissInterceptor } from './common/rate-limit/rate-limit-miss.interceptor';
import { RateLimitGuard } from './common/rate-limit/rate-limit.guard';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/app-config.module';
import { DatabaseModule } from './database/database.module';
import { DevicesModule } from './devices/devices.module';
import { HealthModule } from './health/health.module';
import { InstallersModule } from './installers/installers.module';
import { loggerOptions } from './logging/logger-options';
import { MetricsModule } from './metrics/metrics.module';
import { QuickSupportModule } from './quick-support/quick-support.module';
import { RecordingsModule } from './recordings/recordings.module';
import { RelayLinkModule } from './relay-link/relay-link.module';
import { RemoteHelpModule } from './remote-help/remote-help.module';
import { RemoteSessionsModule } from './remote-sessions/remote-sessions.module';
import { SupportChatModule } from './support-chat/support-chat.module';
import { UsersModule } from './users/users.module';

/** The portal. Built from a validated config so tests can run several side by side. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config)),
        MetricsModule.forRoot(config),
        ScheduleModule.forRoot(),
        RateLimitModule,
        DatabaseModule,
        AccessModule,
        AuditModule,
        AuditLogModule,
        UsersModule,
        AuthModule,
        HealthModule,
        BrandingModule,
        DevicesModule,
        QuickSupportModule,
        InstallersModule,
        AgentRegistrationModule,
        AgentControlModule,
        SupportChatModule,
        RelayLinkModule,
        RemoteSessionsModule,
        RecordingsModule,
        RemoteHelpModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        // Order matters: refuse cross-site writes before anything else, then require a login, then
        // the role the route declares, then spend the route's rate-limit policy (or the technician's
        // budget).
        { provide: APP_GUARD, useClass: CsrfGuard },
        { provide: APP_GUARD, useClass: SessionAuthGuard },
        { provide: APP_GUARD, useExisting: RoleGuard },
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_INTERCEPTOR, useExisting: RateLimitMissInterceptor },
      ],
    };
  }
}
