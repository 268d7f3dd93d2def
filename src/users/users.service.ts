import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/auth-user';
import { passwordHasher } from '../common/password-hasher';
import { AccountRevocation, AccountRevocations } from './account-revocations';
import { CreateUserDto, UpdateUserDto } from './dto/user.dto';
import { User } from './entities/user.entity';
import { UserQueries } from './user.queries';
import { userErrors as errors } from './users.errors';

/** Technicians and administrators: who may log in, with which role. */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly users: UserQueries,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly revocations: AccountRevocations,
  ) {}

  list(): Promise<User[]> {
    return this.users.list();
  }

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findByEmail(email);
  }

  async recordLogin(id: string): Promise<void> {
    await this.users.recordLogin(id);
  }

  async create(actor: AuthUser, dto: CreateUserDto): Promise<{ user: User; initialPassword?: string }> {
    const initialPassword = dto.password ? undefined : passwordHasher.generate();
    const passwordHash = await passwordHasher.hash(dto.password ?? initialPassword ?? '');
    const user = await this.dataSource
      .transaction(async (m) => {
        if (await this.users.emailTaken(dto.email, m)) throw errors.emailTaken();
        const created = await this.users.insert(
          { email: dto.email, displayName: dto.displayName, role: dto.role, passwordHash },
          m,
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
      const saved = await this.users.save(user, m);
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
      // Deleted in the transaction of the account change, so the two commit together.
      if (revoked)
        await this.users.deleteLogins(
          user.id,
          revoked.kind === 'password_changed' ? revoked.keptLoginSessionId : undefined,
          m,
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
      await this.users.deleteLogins(user.id, undefined, m);
      await this.users.delete(user.id, m);
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
      await this.users.lockFirstAdmin(m);
      if ((await this.users.count(m)) > 0) return { created: false, email };
      const passwordHash = await passwordHasher.hash(password ?? generatedPassword ?? '');
      const admin = await this.users.insert(
        { email, displayName: 'Administrator', role: 'admin', passwordHash },
        m,
      );
      await this.audit.record(
        { actorType: 'system', action: 'user.first_admin_created', targetType: 'user', targetId: admin.id },
        m,
      );
      return { created: true, email, generatedPassword };
    });
  }

  private async lockUser(m: EntityManager, id: string): Promise<User> {
    const user = await this.users.lockById(id, m);
    if (!user) throw errors.notFound();
    return user;
  }

  private async ensureAnotherAdmin(m: EntityManager, exceptId: string): Promise<void> {
    if ((await this.users.countOtherActiveAdmins(exceptId, m)) === 0) throw errors.lastAdmin();
  }
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}
