import type { AuthUser } from '../common/auth-user';
import type { SupportSessionDto } from '../quick-support/dto/support-session.dto';
import { viewSupportSession } from '../quick-support/support-session.view';
import { USER_ROLES } from '../../contracts/api/users';
import {
  isAdmin,
  managesSupportSession,
  readScope,
  readsEverything,
  ROLE_SETS,
  supportSessionOwnerId,
  UNDECLARED_ROLES,
} from './access-rules';

const user = (id: string, role: AuthUser['role'] = 'technician'): AuthUser => ({
  id,
  email: `${id}@example.test`,
  displayName: id,
  role,
});

const session = (over: Partial<SupportSessionDto> = {}): SupportSessionDto => ({
  id: 's1',
  status: 'active',
  customerName: 'Front desk',
  note: 'private',
  url: 'https://portal.example/support/connect/token',
  createdAt: '2026-12-02T00:00:00.000Z',
  expiresAt: '2026-12-02T01:00:00.000Z',
  activatedAt: null,
  endedAt: null,
  endReason: null,
  createdBy: { id: 'alice', displayName: 'Alice' },
  assignedTo: { id: 'alice', displayName: 'Alice' },
  device: null,
  notes: [{ id: 'n1', body: 'secret', createdAt: '2026-12-02T00:01:00.000Z' }],
  canManage: true,
  ...over,
});

describe('support session ownership', () => {
  it('is the assignee, else the creator, else nobody', () => {
    expect(supportSessionOwnerId({ assignedToId: 'bob', createdById: 'alice' })).toBe('bob');
    expect(supportSessionOwnerId({ assignedToId: null, createdById: 'alice' })).toBe('alice');
    expect(supportSessionOwnerId({ assignedToId: null, createdById: null })).toBeNull();
  });

  it('lets the owner and admins manage, nobody else (not even when nobody owns it)', () => {
    const row = { assignedToId: 'bob', createdById: 'alice' };
    expect(managesSupportSession(user('bob'), row)).toBe(true);
    expect(managesSupportSession(user('alice'), row)).toBe(false);
    expect(managesSupportSession(user('root', 'admin'), row)).toBe(true);
    expect(managesSupportSession(user('bob'), { assignedToId: null, createdById: null })).toBe(false);
  });

  it('shows another technician the session without link, note or customer notes', () => {
    expect(viewSupportSession(user('bob'), session())).toMatchObject({
      url: null,
      note: null,
      notes: [],
      canManage: false,
      customerName: 'Front desk',
      assignedTo: { id: 'alice' },
    });
    expect(viewSupportSession(user('alice'), session())).toEqual(session());
    expect(viewSupportSession(user('root', 'admin'), session({ canManage: false }))).toEqual(session());
  });
});

describe('roles', () => {
  const auditor = user('carol', 'auditor');

  it('reads like an admin for admins and auditors; a technician reads only their own', () => {
    expect(readsEverything(user('root', 'admin'))).toBe(true);
    expect(readsEverything(auditor)).toBe(true);
    expect(readsEverything(user('bob'))).toBe(false);
    expect(readScope(user('root', 'admin'))).toBeNull();
    expect(readScope(auditor)).toBeNull();
    expect(readScope(user('bob'))).toEqual({ technicianId: 'bob' });
  });

  it('never lets an auditor act: not on a session they somehow own, not as an admin', () => {
    expect(isAdmin(auditor)).toBe(false);
    expect(managesSupportSession(auditor, { assignedToId: 'bob', createdById: 'alice' })).toBe(false);
    expect(ROLE_SETS.operators).not.toContain('auditor');
    expect(ROLE_SETS.admins).toEqual(['admin']);
    expect(UNDECLARED_ROLES).not.toContain('auditor');
  });

  it('lets every role read the team views', () => {
    expect([...ROLE_SETS.everyone].sort()).toEqual([...USER_ROLES].sort());
  });

  it('shows an auditor another technician’s session as the team sees it, without link or notes', () => {
    expect(viewSupportSession(auditor, session())).toMatchObject({
      url: null,
      note: null,
      notes: [],
      canManage: false,
    });
  });
});
