import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type TestAgent from 'supertest/lib/agent';
import { CONSENT_POLICIES } from '../../contracts/api/devices';
import { MIGRATIONS } from '../../migrations';
import { DeviceConsentPolicy1763768000000 } from '../../migrations/1763768000000-DeviceConsentPolicy';
import { DevicesService } from '../../src/devices/devices.service';
import {
  downloadInstaller,
  INSTALLER_FIXTURE_ENV,
  installerTokenIn,
  makeSupportSession,
  registerBody,
  RELAXED_LIMITS_ENV,
} from '../support/quick-support-factories';
import { createTestApp, TestApp } from '../support/test-app';
import { createTestDatabase } from '../support/test-db';

/**
 * The consent policy an admin sets per device (issue 12), through HTTP on the real portal and
 * PostgreSQL: who may set it, what it accepts, that a quick-support device always asks, and the
 * audit line that comes with each change (and without which there is no change).
 */
describe('device consent policy (real portal, real PostgreSQL)', () => {
  let t: TestApp;
  let db: Client;
  let admin: TestAgent;
  let tech: TestAgent;
  let adminId: string;

  beforeAll(async () => {
    t = await createTestApp({ ...INSTALLER_FIXTURE_ENV, ...RELAXED_LIMITS_ENV });
    db = new Client({ connectionString: t.config.databaseUrl });
    await db.connect();
    admin = await t.loginAs();
    adminId = (await admin.get('/api/auth/me').expect(200)).body.id as string;
    await admin
      .post('/api/users')
      .send({
        email: 'consent-tech@example.test',
        displayName: 'A technician',
        role: 'technician',
        password: 'consent-tech-pass-1',
      })
      .expect(201);
    tech = await t.loginAs('consent-tech@example.test', 'consent-tech-pass-1');
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  /** A persistent device, registered with an admin's install command; its id. */
  async function persistentDevice(hostname = 'file-server'): Promise<string> {
    const command = await admin.post('/api/installers').send({ os: 'linux' }).expect(201);
    const script = await t
      .http()
      .get('/api/installers/script')
      .set('Authorization', `Bearer ${/Bearer ([A-Za-z0-9_-]{43})/.exec(command.body.command)![1]}`)
      .expect(200);
    const res = await t
      .http()
      .post('/api/agent/register')
      .send(registerBody(installerTokenIn(script.text), { hostname }))
      .expect(201);
    return res.body.deviceId as string;
  }

  /** A quick-support device (a customer ran the script of a technician's link); its id. */
  async function quickDevice(): Promise<string> {
    const s = await makeSupportSession(tech);
    const { token } = await downloadInstaller(t, s.path, 'linux');
    const res = await t.http().post('/api/agent/register').send(registerBody(token)).expect(201);
    return res.body.deviceId as string;
  }

  const auditLines = async (deviceId: string) =>
    (
      await db.query<{ actor_type: string; actor_id: string; details: Record<string, unknown> }>(
        `SELECT actor_type, actor_id, details FROM audit_events
          WHERE action = 'device.consent_policy_changed' AND target_id = $1 ORDER BY id`,
        [deviceId],
      )
    ).rows;

  const listed = async (deviceId: string) =>
    (
      (await admin.get('/api/devices').expect(200)).body.items as { id: string; consentPolicy: string }[]
    ).find((d) => d.id === deviceId);

  it('starts every device at "ask" and shows the policy in the device list', async () => {
    const persistent = await persistentDevice();
    const quick = await quickDevice();
    expect((await listed(persistent))?.consentPolicy).toBe('ask');
    expect((await listed(quick))?.consentPolicy).toBe('ask');
    expect(await t.app.get(DevicesService).consentPolicy(persistent)).toBe('ask');
  });

  it('lets an admin set each policy on a persistent device, audited with who and from/to', async () => {
    const id = await persistentDevice('backup-server');
    const devices = t.app.get(DevicesService);
    let previous = 'ask';
    for (const policy of ['notify', 'silent', 'ask'] as const) {
      const res = await admin.patch(`/api/devices/${id}/consent-policy`).send({ policy }).expect(200);
      expect(res.body).toMatchObject({ id, kind: 'persistent', consentPolicy: policy });
      expect((await listed(id))?.consentPolicy).toBe(policy);
      expect(await devices.consentPolicy(id)).toBe(policy);
      const lines = await auditLines(id);
      expect(lines[lines.length - 1]).toEqual({
        actor_type: 'user',
        actor_id: adminId,
        details: { from: previous, to: policy },
      });
      previous = policy;
    }
    expect(await auditLines(id)).toHaveLength(3);
    // Setting the policy the device already has changes nothing and is not audited again.
    await admin.patch(`/api/devices/${id}/consent-policy`).send({ policy: 'ask' }).expect(200);
    expect(await auditLines(id)).toHaveLength(3);
  });

  it('refuses a technician with 403 and changes nothing', async () => {
    const id = await persistentDevice('print-server');
    await admin.put(`/api/devices/${id}/grants/${(await tech.get('/api/auth/me')).body.id}`).send({});
    const res = await tech.patch(`/api/devices/${id}/consent-policy`).send({ policy: 'silent' });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ code: 'role_not_allowed', message: expect.any(String) });
    expect(await t.app.get(DevicesService).consentPolicy(id)).toBe('ask');
    expect(await auditLines(id)).toEqual([]);
    await t.browser().patch(`/api/devices/${id}/consent-policy`).send({ policy: 'silent' }).expect(401);
  });

  it('refuses to change a quick-support device with 409 and a sentence: it always asks', async () => {
    const id = await quickDevice();
    for (const policy of CONSENT_POLICIES) {
      const res = await admin.patch(`/api/devices/${id}/consent-policy`).send({ policy });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        code: 'conflict',
        message:
          'A quick-support device always asks the customer before each channel opens: its consent policy cannot be changed.',
      });
    }
    expect(await t.app.get(DevicesService).consentPolicy(id)).toBe('ask');
    expect(await auditLines(id)).toEqual([]);
    // The database keeps it so too, whatever writes the row.
    await expect(
      db.query(`UPDATE devices SET consent_policy = 'silent' WHERE id = $1`, [id]),
    ).rejects.toThrow(/ck_devices_quick_consent_ask/);
  });

  it('answers bad values with 400, unknown devices with 404 and bad ids with 400', async () => {
    const id = await persistentDevice('mail-server');
    for (const body of [
      { policy: 'never' },
      { policy: 'ASK' },
      { policy: '' },
      { policy: 1 },
      { policy: ['ask'] },
      {},
      { policy: 'ask', extra: true },
    ]) {
      const res = await admin.patch(`/api/devices/${id}/consent-policy`).send(body);
      expect(`${JSON.stringify(body)} → ${res.status} ${res.body.code}`).toBe(
        `${JSON.stringify(body)} → 400 validation_failed`,
      );
      expect(res.body.message).toEqual(expect.any(String));
    }
    const bad = await admin.patch(`/api/devices/${id}/consent-policy`).send({ policy: 'never' });
    expect(bad.body.message).toContain('policy must be one of: ask, notify, silent');
    await admin
      .patch('/api/devices/00000000-0000-4000-8000-000000000000/consent-policy')
      .send({ policy: 'notify' })
      .expect(404);
    await admin.patch('/api/devices/not-a-uuid/consent-policy').send({ policy: 'notify' }).expect(400);
    await expect(
      t.app.get(DevicesService).consentPolicy('00000000-0000-4000-8000-000000000000'),
    ).rejects.toThrow('There is no such device.');
    expect(await auditLines(id)).toEqual([]);
    await expect(db.query(`UPDATE devices SET consent_policy = 'never' WHERE id = $1`, [id])).rejects.toThrow(
      /ck_devices_consent_policy/,
    );
  });

  it('fails closed: without its audit line the policy does not change (503 audit_unavailable)', async () => {
    const id = await persistentDevice('db-server');
    await db.query(`
      CREATE OR REPLACE FUNCTION test_audit_refuses() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit storage unavailable (test)'; END $$`);
    await db.query(`
      CREATE TRIGGER tr_test_audit_refuses BEFORE INSERT ON audit_events
      FOR EACH ROW EXECUTE FUNCTION test_audit_refuses()`);
    try {
      const res = await admin.patch(`/api/devices/${id}/consent-policy`).send({ policy: 'silent' });
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ code: 'audit_unavailable', message: expect.stringMatching(/audit trail/) });
    } finally {
      await db.query(`DROP TRIGGER IF EXISTS tr_test_audit_refuses ON audit_events`);
      await db.query(`DROP FUNCTION IF EXISTS test_audit_refuses()`);
    }
    expect(await t.app.get(DevicesService).consentPolicy(id)).toBe('ask');
    await admin.patch(`/api/devices/${id}/consent-policy`).send({ policy: 'silent' }).expect(200);
    expect(await auditLines(id)).toHaveLength(1);
  });
});

describe('DeviceConsentPolicy migration', () => {
  it('gives existing devices "ask", goes down and up again cleanly on a real PostgreSQL', async () => {
    const db = await createTestDatabase();
    const upTo = MIGRATIONS.slice(0, MIGRATIONS.indexOf(DeviceConsentPolicy1763768000000) + 1);
    const ds = new DataSource({
      type: 'postgres',
      url: db.url,
      synchronize: false,
      migrations: upTo.slice(0, -1),
      migrationsTransactionMode: 'each',
      logging: false,
    });
    await ds.initialize();
    const column = async (): Promise<number> =>
      (
        await ds.query<unknown[]>(
          `SELECT 1 FROM information_schema.columns WHERE table_name = 'devices' AND column_name = 'consent_policy'`,
        )
      ).length;
    try {
      await ds.runMigrations();
      const [{ id }] = await ds.query<{ id: string }[]>(
        `INSERT INTO devices (kind, hostname, os, os_version, arch, agent_version, protocol_version, credential_hash)
         VALUES ('persistent', 'h', 'linux', 'v', 'x64', '0.1.0', '1.0', repeat('0', 64)) RETURNING id`,
      );
      await ds.destroy();
      ds.setOptions({ migrations: upTo });
      await ds.initialize();
      await ds.runMigrations();
      expect(await column()).toBe(1);
      expect(await ds.query(`SELECT consent_policy FROM devices WHERE id = $1`, [id])).toEqual([
        { consent_policy: 'ask' },
      ]);
      await ds.undoLastMigration();
      expect(await column()).toBe(0);
      await ds.runMigrations();
      expect(await column()).toBe(1);
    } finally {
      if (ds.isInitialized) await ds.destroy();
      await db.drop();
    }
  });
});
