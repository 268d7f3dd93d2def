import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { PassportSerializer } from '@nestjs/passport';
import type { AuthUser } from '../common/auth-user';
import { AuthService } from './auth.service';

type Done<T> = (err: Error | 'pass' | null, value?: T) => void;

/**
 * Sessions store only the user id; each request reloads the account so disabling takes effect at once.
 * passport keeps serializers process-wide: once this app is closed it steps aside ('pass') so another
 * portal instance in the same process (tests) is not answered from a closed database.
 */
@Injectable()
export class SessionSerializer extends PassportSerializer implements OnModuleDestroy {
  private closed = false;

  constructor(private readonly auth: AuthService) {
    super();
  }

  onModuleDestroy(): void {
    this.closed = true;
  }

  serializeUser(user: AuthUser, done: Done<string>): void {
    if (this.closed) return done('pass');
    done(null, user.id);
  }

  deserializeUser(id: string, done: Done<AuthUser | false>): void {
    if (this.closed) return done('pass');
    this.auth.resolveSessionUser(id).then(
      (user) => done(null, user ?? false),
      (err: Error) => done(err),
    );
  }
}
