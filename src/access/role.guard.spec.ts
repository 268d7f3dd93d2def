import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { UserRole } from '../../contracts/api/users';
import { DomainError } from '../common/domain-error';
import { IS_PUBLIC } from '../common/decorators';
import { AdminOnly, OwnAccount, ReadsHistory, RunsRemoteSession, TeamView } from './access.decorator';
import { RoleGuard } from './role.guard';

/** A controller whose routes declare their roles the way the portal's do. */
class Routes {
  @TeamView() team(): void {}
  @TeamView({ roles: 'operators' }) newLink(): void {}
  @ReadsHistory() history(): void {}
  @OwnAccount() me(): void {}
  @AdminOnly() users(): void {}
  @RunsRemoteSession() end(): void {}
  undeclared(): void {}
  health(): void {}
}
Reflect.defineMetadata(IS_PUBLIC, true, Routes.prototype.health);

function context(handler: keyof Routes, role: UserRole | null): ExecutionContext {
  return {
    getType: () => 'http',
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({
      getRequest: () => ({
        user: role ? { id: 'u', email: 'u@example.test', displayName: 'U', role } : undefined,
      }),
    }),
  } as unknown as ExecutionContext;
}

const guard = new RoleGuard(new Reflector());
function verdict(handler: keyof Routes, role: UserRole | null): string {
  try {
    guard.canActivate(context(handler, role));
    return 'passes';
  } catch (e) {
    return e instanceof DomainError ? e.code : 'threw';
  }
}

describe('RoleGuard', () => {
  it.each<[keyof Routes, UserRole[]]>([
    ['team', ['admin', 'technician', 'auditor']],
    ['history', ['admin', 'technician', 'auditor']],
    ['me', ['admin', 'technician', 'auditor']],
    ['newLink', ['admin', 'technician']],
    ['end', ['admin', 'technician']],
    ['users', ['admin']],
    ['undeclared', ['admin', 'technician']],
  ])('lets exactly the declared roles call %s', (handler, allowed) => {
    for (const role of ['admin', 'technician', 'auditor'] as const) {
      expect(`${handler} ${role}: ${verdict(handler, role)}`).toBe(
        `${handler} ${role}: ${allowed.includes(role) ? 'passes' : 'role_not_allowed'}`,
      );
    }
  });

  it('leaves public routes alone and refuses a missing login on the others', () => {
    expect(verdict('health', null)).toBe('passes');
    expect(verdict('team', null)).toBe('unauthenticated');
  });

  it('says in words which roles a route is for', () => {
    try {
      guard.canActivate(context('users', 'auditor'));
      throw new Error('not refused');
    } catch (e) {
      expect((e as DomainError).message).toBe(
        'As an auditor you cannot do this: it is for administrators only.',
      );
    }
  });
});
