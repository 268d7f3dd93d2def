import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Read side of logins (the express-session rows in `auth_sessions`, which this module writes through
 * passport). Whoever holds access longer than one request asks here whether the login behind it holds.
 */
@Injectable()
export class LoginSessionQueries {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Whether a login still holds: its row exists and has not expired, it belongs to this user, and the
   * account is still enabled.
   */
  async isLive(userId: string, loginSessionId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM auth_sessions s JOIN users u ON u.id::text = (s.sess->'passport'->>'user')
        WHERE s.sid = $1 AND s.expire >= now() AND u.id = $2 AND u.disabled_at IS NULL`,
      [loginSessionId, userId],
    );
    return rows.length > 0;
  }

  /** Of the given users, those with no unexpired login at all (signed out, reset, or role changed). */
  async withoutLiveLogin(userIds: string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT u.id FROM unnest($1::uuid[]) AS u(id)
        WHERE NOT EXISTS (SELECT 1 FROM auth_sessions s
                           WHERE (s.sess->'passport'->>'user') = u.id::text AND s.expire >= now())`,
      [userIds],
    );
    return rows.map((r) => r.id);
  }
}
