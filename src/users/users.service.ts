import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/auth-user';
import { passwordHasher } from '../common/password-hasher';
import { AccountRevocation, AccountRevocations } from './account-revocations';
import { CreateUserDto, UpdateUserDto } from './dto/user.dto';
import { User } from './entities/user.entity';
import { userErrors as errors } from './users.errors';

/** Technicians and administrators: who may log in, with which role. */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly revocations: AccountRevocations,
  ) {}

  list(): Promise<User[]> {
    return this.users.find({ order: { createdAt: 'ASC' } });
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOne({ where: { id } });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('u')
      .where('lower(u.email) = lower(:email)', { email: email.trim() })
      .getOne();
  }

  async recordLogin(id: string): Promise<void> {
    await this.users.update({ id }, { lastLoginAt: new Date() });
  }

  async create(actor: AuthUser, dto: CreateUserDto): Promise<{ user: User; initialPassword?: string }> {
    const initialPassword = dto.password ? undefined : passwordHasher.generate();
    const passwordHash = await passwordHasher.hash(dto.password ?? initialPassword ?? '');
    const user = await this.dataSource
      .transaction(async (m) => {
        const taken = await m
          .getRepository(User)
          .createQueryBuilder('u')
          .where('lower(u.email) = lower(:email)', { email: dto.email })
          .getExists();
        if (taken) throw errors.emailTaken();
        const created = await m
          .getRepository(User)
          .save(
            m
              .getRepository(User)
              .create({ email: dto.email, displayName: dto.displayName, role: dto.role, passwordHash }),
          );
        await this.audit.record(
          {
            actorType: 'user',
            actorId: actor.id,
            action: 'user.created',
            targetType: 'user',
            targetId: created.id,
            details: { role: dto.role },
          },
          m,
        );
        return created;
      })
      .catch((err: unknown) => {
        if (isUniqueViolation(err)) throw errors.emailTaken();
        throw err;
      });
    this.logger.log(`User ${user.id} created by ${actor.id}`);
    return { user, initialPassword };
  }

  /**
   * `loginSessionId` is the login making the change: an administrator setting their own password stays
   * signed in there and nowhere else.
   */
  async update(actor: AuthUser, id: string, dto: UpdateUserDto, loginSessionId: string): Promise<User> {
    const passwordHash = dto.password ? await passwordHasher.hash(dto.password) : undefined;
    const { saved, revoked } = await this.dataSource.transaction(async (m) => {
      const user = await this.lockUser(m, id);
      const self = user.id === actor.id;
      const roleChanged = dto.role !== undefined && dto.role !== user.role;
      if (self && (dto.disabled === true || roleChanged)) {
        throw errors.cannotChangeSelf();
      }
      const losesAdmin =
        user.role === 'admin' && ((roleChanged && dto.role !== 'admin') || dto.disabled === true);
      if (losesAdmin) await this.ensureAnotherAdmin(m, user.id);

      if (dto.displayName !== undefined) user.displayName = dto.displayName;
      if (dto.role !== undefined) user.role = dto.role;
      if (passwordHash) user.passwordHash = passwordHash;
      const disabling = dto.disabled === true && user.disabledAt === null;
      if (dto.disabled !== undefined) user.disabledAt = dto.disabled ? (user.disabledAt ?? new Date()) : null;
      const saved = await m.getRepository(User).save(user);
      // Disabling, a role change or a new password end the account's existing logins (a new password
      // set by its own user keeps the login that set it). The same decision names the revocation, so
      // whatever signs them out also ends what they hold live (event streams, remote sessions).
      const revoked: AccountRevocation | null = disabling
        ? { kind: 'disabled', userId: id, actorId: actor.id }
        : roleChanged
          ? { kind: 'role_changed', userId: id, actorId: actor.id }
          : passwordHash && !self
            ? { kind: 'password_reset', userId: id, actorId: actor.id }
            : passwordHash
              ? { kind: 'password_changed', userId: id, keptLoginSessionId: loginSessionId }
              : null;
      if (revoked)
        await this.revokeSessions(
          m,
          user.id,
          revoked.kind === 'password_changed' ? revoked.keptLoginSessionId : undefined,
        );
      await this.audit.record(
        {
          actorType: 'user',
          actorId: actor.id,
          action: disabling ? 'user.disabled' : 'user.updated',
          targetType: 'user',
          targetId: user.id,
          details: {
            fields: Object.keys(dto)
              .filter((k) => k !== 'password')
              .concat(passwordHash ? ['passwordChanged'] : []),
          },
        },
        m,
      );
      return { saved, revoked };
    });
    if (revoked) this.revocations.publish(revoked);
    return saved;
  }

  async remove(actor: AuthUser, id: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const user = await this.lockUser(m, id);
      if (user.id === actor.id) throw errors.cannotRemoveSelf();
      if (user.role === 'admin') await this.ensureAnotherAdmin(m, user.id);
      await this.revokeSessions(m, user.id);
      await m.getRepository(User).delete({ id: user.id });
      await this.audit.record(
        {
          actorType: 'user',
          actorId: actor.id,
          action: 'user.removed',
          targetType: 'user',
          targetId: user.id,
          details: { email: user.email },
        },
        m,
      );
    });
    this.revocations.publish({ kind: 'removed', userId: id, actorId: actor.id });
  }

  /**
   * Creates the first administrator when there is no user at all. Serialised with an advisory lock so
   * two portals starting together create one.
   */
  async ensureFirstAdmin(
    email: string,
    password: string | undefined,
  ): Promise<{ created: boolean; email: string; generatedPassword?: string }> {
    const generatedPassword = password ? undefined : passwordHasher.generate();
    return this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('qs:first-admin'))`);
      const existing = await m.getRepository(User).count();
      if (existing > 0) return { created: false, email };
      const passwordHash = await passwordHasher.hash(password ?? generatedPassword ?? '');
      const admin = await m
        .getRepository(User)
        .save(
          m.getRepository(User).create({ email, displayName: 'Administrator', role: 'admin', passwordHash }),
        );
      await this.audit.record(
        { actorType: 'system', action: 'user.first_admin_created', targetType: 'user', targetId: admin.id },
        m,
      );
      return { created: true, email, generatedPassword };
    });
  }

  private async lockUser(m: EntityManager, id: string): Promise<User> {
    const user = await m.getRepository(User).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!user) throw errors.notFound();
    return user;
  }

  private async ensureAnotherAdmin(m: EntityManager, exceptId: string): Promise<void> {
    const rows: { n: number }[] = await m.query(
      `SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> $1`,
      [exceptId],
    );
    if ((rows[0]?.n ?? 0) === 0) {
      throw errors.lastAdmin();
    }
  }

  /**
   * Ends every dashboard login of the account (the express-session rows in PostgreSQL), but `keep`.
   * Written here, in the transaction of the account change, so the two commit together.
   */
  private async revokeSessions(m: EntityManager, userId: string, keep?: string): Promise<void> {
    await m.query(
      `DELETE FROM auth_sessions WHERE (sess->'passport'->>'user') = $1 AND ($2::text IS NULL OR sid <> $2)`,
      [userId, keep ?? null],
    );
  }
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}
