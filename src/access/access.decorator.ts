import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiExtension, ApiForbiddenResponse } from '@nestjs/swagger';
import { AccessGuard } from './access.guard';
import { ACCESS_RULE, type AccessRule, type IdSource } from './access-rule';

/**
 * Declares who may use a technician route, and enforces it with {@link AccessGuard} before the
 * handler runs (after login and CSRF). The rule is also written into the OpenAPI document as
 * `x-access`. Every non-public route with a resource id declares one of these (or is admin-only
 * through `@Roles('admin')`); test/security/technician-isolation.e2e-spec.ts checks that none is missing.
 */
function Access(rule: AccessRule, description: string): MethodDecorator {
  const decorators: (MethodDecorator | ClassDecorator)[] = [
    SetMetadata(ACCESS_RULE, rule),
    ApiExtension('x-access', description),
  ];
  if (rule.kind !== 'team' && !(rule.kind === 'audit-trail' && !rule.from)) {
    decorators.push(
      UseGuards(AccessGuard),
      ApiForbiddenResponse({
        description: `\`not_session_owner\` or \`device_access_denied\`: ${description}`,
      }),
    );
  }
  return applyDecorators(...decorators);
}

/**
 * Any technician: the team's queue and lists. What belongs to another technician is left out of the
 * response by the route itself (links, notes, devices they cannot reach).
 */
export const TeamView = (): MethodDecorator =>
  Access(
    { kind: 'team' },
    'Any technician; another technician’s customer link and notes, and devices you cannot reach, are left out',
  );

/** The quick-support session's owner (assignee, else creator) or an admin. */
export const OwnsSupportSession = (param = 'id'): MethodDecorator =>
  Access(
    { kind: 'support-session', from: { param } },
    'The support session’s owner (its assignee, else its creator) or an administrator',
  );

/** The remote session's technician or an admin; with `device`, they must still reach its device. */
export const RunsRemoteSession = (opts: { param?: string; device?: boolean } = {}): MethodDecorator =>
  Access(
    { kind: 'remote-session', from: { param: opts.param ?? 'id' }, device: opts.device === true },
    opts.device
      ? 'The remote session’s technician, while they still reach its device, or an administrator'
      : 'The remote session’s technician or an administrator',
  );

/**
 * Technicians who reach the device (the owner of a quick-support device's session; the technicians
 * granted a persistent device) and admins. With `exclusive`, not while another technician has a
 * remote session open on it.
 */
export const ReachesDevice = (from: IdSource, opts: { exclusive?: boolean } = {}): MethodDecorator =>
  Access(
    { kind: 'device', from, exclusive: opts.exclusive === true },
    `Technicians who reach the device (its support session’s owner; granted technicians for a persistent device) and administrators${
      opts.exclusive ? ', unless another technician has a remote session open on it' : ''
    }`,
  );

/**
 * The audit trail: administrators read every line; a technician the lines of their own remote
 * sessions (the route leaves the rest out of its answer).
 */
export const ReadsAuditTrail = (): MethodDecorator =>
  Access(
    { kind: 'audit-trail' },
    'Administrators: every line; a technician: the lines of their own remote sessions (the rest are left out)',
  );

/** A remote session's audit lines: its technician or an administrator. */
export const ReadsRemoteSessionTrail = (param = 'id'): MethodDecorator =>
  Access({ kind: 'audit-trail', from: { param } }, 'The remote session’s technician or an administrator');
