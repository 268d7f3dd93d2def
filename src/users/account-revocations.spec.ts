import { revokesLogin } from './account-revocations';

describe('revokesLogin', () => {
  it('ends only the login that logged out', () => {
    const logout = { kind: 'logout', userId: 'u1', loginSessionId: 'sid-a' } as const;
    expect(revokesLogin(logout, 'u1', 'sid-a')).toBe(true);
    expect(revokesLogin(logout, 'u1', 'sid-b')).toBe(false);
    expect(revokesLogin(logout, 'u2', 'sid-a')).toBe(false);
  });

  it('ends every login but the one that changed its own password', () => {
    const changed = { kind: 'password_changed', userId: 'u1', keptLoginSessionId: 'sid-a' } as const;
    expect(revokesLogin(changed, 'u1', 'sid-a')).toBe(false);
    expect(revokesLogin(changed, 'u1', 'sid-b')).toBe(true);
    expect(revokesLogin(changed, 'u2', 'sid-b')).toBe(false);
  });

  it('ends every login of an account an administrator disabled, removed or changed', () => {
    for (const kind of ['disabled', 'removed', 'role_changed', 'password_reset'] as const) {
      const event = { kind, userId: 'u1', actorId: 'admin' };
      expect(revokesLogin(event, 'u1', 'sid-a')).toBe(true);
      expect(revokesLogin(event, 'u1', 'sid-b')).toBe(true);
      expect(revokesLogin(event, 'u2', 'sid-a')).toBe(false);
    }
  });
});
