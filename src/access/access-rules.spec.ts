import type { AuthUser } from '../common/auth-user';
import type { SupportSessionDto } from '../quick-support/dto/support-session.dto';
import { viewSupportSession } from '../quick-support/support-session.view';
import { managesSupportSession, supportSessionOwnerId } from './access-rules';

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
