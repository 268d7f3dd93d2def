import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { User } from './entities/user.entity';

export type NewUser = Pick<User, 'email' | 'displayName' | 'role' | 'passwordHash'>;

/**
 * Every read and write of `users`, and the deletion of an account's logins (`auth_sessions`, written
 * by express-session) that goes with an account change. Each takes the caller's transaction as `m`,
 * or runs on its own; the rules, audit lines and revocations are UsersService's.
 */
@Injectable()
export class UserQueries {
  constructor(private readonly dataSource: DataSource) {}

  list(m?: EntityManager): Promise<User[]> {
    return this.db(m)
      .getRepository(User)
      .find({ order: { createdAt: 'ASC' } });
  }

  findById(id: string, m?: EntityManager): Promise<User | null> {
    return this.db(m).getRepository(User).findOne({ where: { id } });
  }

  /** Emails compare case-insensitively (the unique index is on lower(email)). */
  findByEmail(email: string, m?: EntityManager): Promise<User | null> {
    return this.db(m)
      .getRepository(User)
      .createQueryBuilder('u')
      .where('lower(u.email) = lower(:email)', { email: email.trim() })
      .getOne();
  }

  emailTaken(email: string, m?: EntityManager): Promise<boolean> {
    return this.db(m)
      .getRepository(User)
      .createQueryBuilder('u')
      .where('lower(u.email) = lower(:email)', { email })
      .getExists();
  }

  async recordLogin(id: string, m?: EntityManager): Promise<void> {
    await this.db(m).getRepository(User).update({ id }, { lastLoginAt: new Date() });
  }

  insert(v: NewUser, m?: EntityManager): Promise<User> {
    const repo = this.db(m).getRepository(User);
    return repo.save(repo.create(v));
  }

  save(user: User, m?: EntityManager): Promise<User> {
    return this.db(m).getRepository(User).save(user);
  }

  async delete(id: string, m?: EntityManager): Promise<void> {
    await this.db(m).getRepository(User).delete({ id });
  }

  /** The row, locked for the rest of the caller's transaction (FOR UPDATE). */
  lockById(id: string, m: EntityManager): Promise<User | null> {
    return m.getRepository(User).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  count(m?: EntityManager): Promise<number> {
    return this.db(m).getRepository(User).count();
  }

  /** Serialises first-admin creation across portals for the rest of the caller's transaction. */
  async lockFirstAdmin(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('qs:first-admin'))`);
  }

  /** Enabled administrators other than `exceptId`. */
  async countOtherActiveAdmins(exceptId: string, m?: EntityManager): Promise<number> {
    const rows: { n: number }[] = await this.db(m).query(
      `SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> $1`,
      [exceptId],
    );
    return rows[0]?.n ?? 0;
  }

  /** Ends every dashboard login of the account (its express-session rows), but `keep`. */
  async deleteLogins(userId: string, keep: string | undefined, m?: EntityManager): Promise<void> {
    await this.db(m).query(
      `DELETE FROM auth_sessions WHERE (sess->'passport'->>'user') = $1 AND ($2::text IS NULL OR sid <> $2)`,
      [userId, keep ?? null],
    );
  }

  private db(m?: EntityManager): EntityManager {
    return m ?? this.dataSource.manager;
  }
}
