import { Injectable, Logger } from '@nestjs/common';
import type { AuthUser } from '../common/auth-user';
import { passwordHasher } from '../common/password-hasher';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { authErrors } from './auth.errors';

/** Hash of a random password: verifying against it costs what a real check costs (unknown users). */
const DUMMY_HASH = 'scrypt$32768$8$1$c2FsdHNhbHRzYWx0c2FsdA$QZ2mC9Tqg0oHk6sXJt3RrGz6yL2zP0eJmN4vW8bY1aE';

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(private readonly users: UsersService) {}

  /**
   * Checks an email and password. Unknown email, wrong password and a disabled account all fail the
   * same way, after the same amount of hashing work.
   */
  async validate(email: string, password: string): Promise<AuthUser> {
    const user = await this.users.findByEmail(email);
    const ok = await passwordHasher.verify(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || user.disabledAt !== null) {
      throw authErrors.invalidCredentials();
    }
    return toAuthUser(user);
  }

  /** Resolves the session's user id to a live, enabled account (or null: the session is void). */
  async resolveSessionUser(id: string): Promise<AuthUser | null> {
    const user = await this.users.findById(id);
    if (!user || user.disabledAt !== null) return null;
    return toAuthUser(user);
  }

  async recordLogin(user: AuthUser): Promise<void> {
    await this.users.recordLogin(user.id);
    this.logger.log(`User ${user.id} logged in`);
  }
}

export function toAuthUser(u: User): AuthUser {
  return { id: u.id, email: u.email, displayName: u.displayName, role: u.role };
}
