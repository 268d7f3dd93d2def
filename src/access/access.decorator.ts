import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { ErrorCode } from '../common/domain-error';
import { ApiErrors, type ApiErrorEntry } from '../common/openapi/api-errors.decorator';
import { AccessGuard } from './access.guard';
import { ACCESS_RULE, ROUTE_ROLES, type AccessRule, type IdSource } from './access-rule';
import { ROLE_SETS, type RoleSet } from './access-rules';

/**
 * Declares who may use a route a signed-in user calls: the roles that may call it (enforced by the
 * global RoleGuard: 403 `role_not_allowed`) and, for routes about one session or device, the
 * ownership rule (enforced by {@link AccessGuard} before the handler runs, after login and CSRF).
 * Both are written into the OpenAPI document: `x-roles` (the role list) and `x-access` (in words).
 * Every route that is not `@Public()` declares exactly one of these decorators;
 * test/security/route-roles.e2e-spec.ts walks the OpenAPI document with every role to hold that.
 */
function Access(rule: AccessRule, roles: RoleSet, description: string): MethodDecorator {
  const allowed = ROLE_SETS[roles];
  const decorators: (MethodDecorator | ClassDecorator)[] = [
    SetMetadata(ACCESS_RULE, rule),
    SetMetadata(ROUTE_ROLES, allowed),
    ApiExtension('x-access', description),
    ApiExtension('x-roles', [...allowed]),
  ];
  const refusals: ApiErrorEntry[] = [];
  if (roles !== 'everyone') refusals.push([ErrorCode.RoleNotAllowed, `only ${allowed.join(', ')}`]);
  if (hasOwnershipRule(rule)) {
    decorators.push(UseGuards(AccessGuard));
    refusals.push(...ownershipRefusals(rule, description));
  }
  if (refusals.length > 0) decorators.push(ApiErrors(...refusals));
  return applyDecorators(...decorators);
}

/** What the AccessGuard answers for a route's rule (src/access/access.guard.ts). */
function ownershipRefusals(rule: AccessRule, description: string): ApiErrorEntry[] {
  const missing: ApiErrorEntry = [ErrorCode.NotFound, 'the session or device named does not exist'];
  const notUuid: ApiErrorEntry = [ErrorCode.ValidationFailed, 'the id named is not a UUID'];
  return [...rulesRefusals(rule, description, missing), notUuid];
}

function rulesRefusals(rule: AccessRule, description: string, missing: ApiErrorEntry): ApiErrorEntry[] {
  switch (rule.kind) {
    case 'support-session':
    case 'support-session-read':
      return [[ErrorCode.NotSessionOwner, description], missing];
    case 'remote-session':
      return rule.device
        ? [[ErrorCode.NotSessionOwner, description], [ErrorCode.DeviceAccessDenied, description], missing]
        : [[ErrorCode.NotSessionOwner, description], missing];
    case 'device':
      return rule.exclusive
        ? [[ErrorCode.DeviceAccessDenied, description], [ErrorCode.NotSessionOwner, description], missing]
        : [[ErrorCode.DeviceAccessDenied, description], missing];
    case 'audit-trail':
      return rule.from ? [[ErrorCode.NotSessionOwner, description], missing] : [];
    case 'team':
    case 'history':
    case 'own-account':
    case 'admin':
      return [];
  }
}

function hasOwnershipRule(rule: AccessRule): boolean {
  return (
    rule.kind === 'support-session' ||
    rule.kind === 'support-session-read' ||
    rule.kind === 'remote-session' ||
    rule.kind === 'device' ||
    (rule.kind === 'audit-trail' && rule.from !== undefined)
  );
}

/**
 * The team's queue and lists. What belongs to another technician is left out of the response by the
 * route itself (links, notes, devices they cannot reach). Read-only views are open to every role
 * (the default); `roles: 'operators'` for team work that is not an auditor's (a new link, the device
 * list).
 */
export const TeamView = (opts: { roles?: 'everyone' | 'operators' } = {}): MethodDecorator =>
  Access(
    { kind: 'team' },
    opts.roles ?? 'everyone',
    opts.roles === 'operators'
      ? 'Administrators and technicians; another technician’s customer link and notes, and devices you cannot reach, are left out'
      : 'Every role; another technician’s customer link and notes, and devices you cannot reach, are left out',
  );

/**
 * History and the audit trail: every role may call it; admins and auditors read everyone's rows, a
 * technician only their own (the route filters with `readScope(user)` from access-rules.ts — the
 * "reads like an admin" rule, {@link readsEverything}).
 */
export const ReadsHistory = (): MethodDecorator =>
  Access(
    { kind: 'history' },
    'everyone',
    'Administrators and auditors read everyone’s; a technician reads only their own',
  );

/**
 * Session recordings (src/recordings): every role may call it; admins and auditors reach every
 * recording, a technician only those of their own sessions (another's answers 404
 * `recording_not_found`, as if it did not exist). With `roles: 'readers'`, administrators and
 * auditors only (checking integrity); `'admins'` (export, legal hold) is {@link AdminOnly}.
 */
export const ReadsRecordings = (opts: { roles?: 'everyone' | 'readers' } = {}): MethodDecorator =>
  Access(
    { kind: 'history' },
    opts.roles ?? 'everyone',
    opts.roles === 'readers'
      ? 'Administrators and auditors'
      : 'Administrators and auditors: every recording; a technician: those of their own sessions (others answer 404)',
  );

/** The caller's own login (who am I, sign out): every role. */
export const OwnAccount = (): MethodDecorator =>
  Access({ kind: 'own-account' }, 'everyone', 'Every role, about their own login');

/** Administrators only: users, agent installers, device grants. */
export const AdminOnly = (): MethodDecorator => Access({ kind: 'admin' }, 'admins', 'Administrators only');

/** The quick-support session's owner (assignee, else creator) or an admin. Never an auditor. */
export const OwnsSupportSession = (param = 'id'): MethodDecorator =>
  Access(
    { kind: 'support-session', from: { param } },
    'operators',
    'The support session’s owner (its assignee, else its creator) or an administrator',
  );

/**
 * Reading a quick-support session's own records (its chat): its owner, administrators and auditors
 * (who read everything, never write). Another technician is refused (`not_session_owner`).
 */
export const ReadsSupportSession = (param = 'id'): MethodDecorator =>
  Access(
    { kind: 'support-session-read', from: { param } },
    'everyone',
    'The support session’s owner (its assignee, else its creator), an administrator or an auditor',
  );

/**
 * The remote session's technician or an admin (an admin may end any live session; a technician only
 * their own); with `device`, they must still reach its device. Never an auditor.
 */
export const RunsRemoteSession = (opts: { param?: string; device?: boolean } = {}): MethodDecorator =>
  Access(
    { kind: 'remote-session', from: { param: opts.param ?? 'id' }, device: opts.device === true },
    'operators',
    opts.device
      ? 'The remote session’s technician, while they still reach its device, or an administrator'
      : 'The remote session’s technician or an administrator',
  );

/**
 * Technicians who reach the device (the owner of a quick-support device's session; the technicians
 * granted a persistent device) and admins. With `exclusive`, not while another technician has a
 * remote session open on it. Never an auditor.
 */
export const ReachesDevice = (from: IdSource, opts: { exclusive?: boolean } = {}): MethodDecorator =>
  Access(
    { kind: 'device', from, exclusive: opts.exclusive === true },
    'operators',
    `Technicians who reach the device (its support session’s owner; granted technicians for a persistent device) and administrators${
      opts.exclusive ? ', unless another technician has a remote session open on it' : ''
    }`,
  );

/**
 * The audit trail: administrators and auditors read every line; a technician the lines of their own
 * remote sessions (the route leaves the rest out of its answer).
 */
export const ReadsAuditTrail = (): MethodDecorator =>
  Access(
    { kind: 'audit-trail' },
    'everyone',
    'Administrators and auditors: every line; a technician: the lines of their own remote sessions (the rest are left out)',
  );

/** A remote session's audit lines: its technician, an administrator or an auditor. */
export const ReadsRemoteSessionTrail = (param = 'id'): MethodDecorator =>
  Access(
    { kind: 'audit-trail', from: { param } },
    'everyone',
    'The remote session’s technician, an administrator or an auditor',
  );
