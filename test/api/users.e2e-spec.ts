import { DataSource } from 'typeorm';
import { ADMIN_EMAIL, createTestApp, TestApp } from '../support/test-app';

describe('users administration (real portal, real PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  async function addTechnician(email: string, password?: string) {
    const admin = await t.loginAs();
    const res = await admin
      .post('/api/users')
      .send({ email, displayName: 'Help Desk', role: 'technician', ...(password ? { password } : {}) });
    expect(res.status).toBe(201);
    return res.body as { user: { id: string }; initialPassword?: string };
  }

  it('adds a technician with a generated password shown once, who can then log in', async () => {
    const created = await addTechnician('tech1@example.test');
    expect(created.initialPassword).toMatch(/^[\w-]{20,}$/);
    const tech = await t.loginAs('tech1@example.test', created.initialPassword);
    const me = await tech.get('/api/auth/me').expect(200);
    expect(me.body).toMatchObject({ email: 'tech1@example.test', role: 'technician' });
    const list = await (await t.loginAs()).get('/api/users').expect(200);
    expect(JSON.stringify(list.body)).not.toContain(created.initialPassword);
  });

  it('does not return a password the admin chose', async () => {
    const created = await addTechnician('tech2@example.test', 'chosen-password-123');
    expect(created.initialPassword).toBeUndefined();
    await t.loginAs('tech2@example.test', 'chosen-password-123');
  });

  it('disabling a technician ends their live sessions (401) and refuses new logins', async () => {
    const created = await addTechnician('tech3@example.test', 'tech3-password-123');
    const tech = await t.loginAs('tech3@example.test', 'tech3-password-123');
    await tech.get('/api/auth/me').expect(200);
    const admin = await t.loginAs();
    const res = await admin.patch(`/api/users/${created.user.id}`).send({ disabled: true }).expect(200);
    expect(res.body.disabled).toBe(true);
    await tech.get('/api/auth/me').expect(401);
    const again = await t
      .browser()
      .post('/api/auth/login')
      .send({ email: 'tech3@example.test', password: 'tech3-password-123' });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('invalid_credentials');
    await admin.patch(`/api/users/${created.user.id}`).send({ disabled: false }).expect(200);
    await t.loginAs('tech3@example.test', 'tech3-password-123');
  });

  it('removing a technician ends their sessions and deletes the account', async () => {
    const created = await addTechnician('tech4@example.test', 'tech4-password-123');
    const tech = await t.loginAs('tech4@example.test', 'tech4-password-123');
    const admin = await t.loginAs();
    await admin.delete(`/api/users/${created.user.id}`).expect(204);
    await tech.get('/api/auth/me').expect(401);
    const list = await admin.get('/api/users').expect(200);
    expect(list.body.items.map((u: { id: string }) => u.id)).not.toContain(created.user.id);
  });

  it('keeps technicians out of user administration', async () => {
    await addTechnician('tech5@example.test', 'tech5-password-123');
    const tech = await t.loginAs('tech5@example.test', 'tech5-password-123');
    const res = await tech.get('/api/users').expect(403);
    expect(res.body.code).toBe('role_not_allowed');
    await tech
      .post('/api/users')
      .send({ email: 'evil@example.test', displayName: 'E', role: 'admin' })
      .expect(403);
  });

  it('refuses an email already taken, in any letter case', async () => {
    const admin = await t.loginAs();
    const res = await admin
      .post('/api/users')
      .send({ email: ADMIN_EMAIL.toUpperCase(), displayName: 'Dup', role: 'technician' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('email_taken');
  });

  it('does not let an admin disable, demote or remove themselves', async () => {
    const admin = await t.loginAs();
    const me = (await admin.get('/api/auth/me').expect(200)).body as { id: string };
    expect((await admin.patch(`/api/users/${me.id}`).send({ disabled: true })).body.code).toBe(
      'cannot_change_self',
    );
    expect((await admin.patch(`/api/users/${me.id}`).send({ role: 'technician' })).body.code).toBe(
      'cannot_change_self',
    );
    expect((await admin.delete(`/api/users/${me.id}`)).status).toBe(409);
  });

  it('keeps at least one active administrator', async () => {
    const admin = await t.loginAs();
    const second = (
      await admin
        .post('/api/users')
        .send({
          email: 'admin2@example.test',
          displayName: 'Second',
          role: 'admin',
          password: 'admin2-password-123',
        })
        .expect(201)
    ).body.user;
    const other = await t.loginAs('admin2@example.test', 'admin2-password-123');
    const me = (await admin.get('/api/auth/me')).body as { id: string };
    // admin2 demotes the first admin: allowed, one admin remains (admin2)
    await other.patch(`/api/users/${me.id}`).send({ role: 'technician' }).expect(200);
    const lastAdmin = await t.loginAs();
    const res = await lastAdmin.get('/api/users');
    expect(res.status).toBe(403);
    // and admin2 cannot now remove the only other admin (itself is the last)
    const res2 = await other.patch(`/api/users/${second.id}`).send({ role: 'technician' });
    expect(res2.body.code).toBe('cannot_change_self');
    await other.patch(`/api/users/${me.id}`).send({ role: 'admin' }).expect(200);
  });

  it('validates input: bad email, unknown fields, bad ids, short password', async () => {
    const admin = await t.loginAs();
    expect(
      (await admin.post('/api/users').send({ email: 'not-an-email', displayName: 'X', role: 'technician' }))
        .status,
    ).toBe(400);
    const extra = await admin
      .post('/api/users')
      .send({ email: 'ok@example.test', displayName: 'X', role: 'technician', isRoot: true });
    expect(extra.status).toBe(400);
    expect(extra.body.message).toMatch(/isRoot/);
    expect(
      (await admin.post('/api/users').send({ email: 'ok@example.test', displayName: 'X', role: 'superuser' }))
        .status,
    ).toBe(400);
    expect(
      (
        await admin
          .post('/api/users')
          .send({ email: 'ok@example.test', displayName: 'X', role: 'technician', password: 'short' })
      ).body.message,
    ).toMatch(/12/);
    expect((await admin.patch('/api/users/not-a-uuid').send({ disabled: true })).status).toBe(400);
    expect(
      (await admin.patch('/api/users/00000000-0000-4000-8000-000000000000').send({ disabled: true })).status,
    ).toBe(404);
  });

  it('records administration in the audit trail, which cannot be rewritten', async () => {
    const rows = await t.app.get(DataSource).query(`SELECT action FROM audit_events ORDER BY id`);
    expect(rows.map((r: { action: string }) => r.action)).toEqual(
      expect.arrayContaining(['user.first_admin_created', 'user.created', 'user.disabled', 'user.removed']),
    );
    await expect(t.app.get(DataSource).query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
  });
});
