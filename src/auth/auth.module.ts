import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LiveLoginInterceptor } from './live-login.interceptor';
import { LocalStrategy } from './local.strategy';
import { LoginGuard } from './login.guard';
import { LoginRateLimiter } from './login-rate-limiter';
import { LiveLoginsService } from './live-logins.service';
import { LoginSessionQueries } from './login-sessions.queries';
import { SessionSerializer } from './session.serializer';

@Module({
  imports: [PassportModule.register({ session: true }), UsersModule],
  controllers: [AuthController],
  providers: [
    AuthService,
    LocalStrategy,
    SessionSerializer,
    LoginRateLimiter,
    LoginGuard,
    LoginSessionQueries,
    LiveLoginsService,
    // Every server-sent event stream ends when the login that opened it does.
    { provide: APP_INTERCEPTOR, useClass: LiveLoginInterceptor },
  ],
  exports: [AuthService, LiveLoginsService],
})
export class AuthModule {}
