import { Injectable } from '@nestjs/common';
import { LoginSessionQueries } from './login-sessions.queries';

/**
 * Whether a technician's login still holds, for whoever keeps access open longer than one request
 * (event streams, remote sessions). The auth module's public answer; its queries stay inside it.
 */
@Injectable()
export class LiveLoginsService {
  constructor(private readonly queries: LoginSessionQueries) {}

  /** The login's row exists and has not expired, belongs to this user, and the account is enabled. */
  isLive(userId: string, loginSessionId: string): Promise<boolean> {
    return this.queries.isLive(userId, loginSessionId);
  }

  /** Of the given users, those with no unexpired login at all (signed out, reset, or role changed). */
  withoutLiveLogin(userIds: string[]): Promise<string[]> {
    return this.queries.withoutLiveLogin(userIds);
  }
}
