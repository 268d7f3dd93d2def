import { DevicesService } from '../../src/devices/devices.service';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createTestApp, TestApp } from '../support/test-app';
import {
  downloadInstaller,
  INSTALLER_FIXTURE_ENV,
  makeSupportSession,
  registerBody,
  RELAXED_LIMITS_ENV,
} from '../support/quick-support-factories';
import { openStream, SseReader } from '../support/sse-reader';

describe('quick-support live events (SSE)', () => {
  let t: TestApp;
  let cookie: string;
  beforeAll(async () => {
    t = await createTestApp({ ...INSTALLER_FIXTURE_ENV, ...RELAXED_LIMITS_ENV });
    const login = await t
      .browser()
      .post('/api/auth/login')
      .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })
      .expect(200);
    cookie = (login.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses the stream without a login', async () => {
    const res = await openStream(t.baseUrl, undefined);
    expect(res.statusCode).toBe(401);
    res.resume();
  });

  it('streams session, note and device events to a logged-in technician as they happen', async () => {
    const res = await openStream(t.baseUrl, cookie);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    const sse = new SseReader(res);
    try {
      const tech = await t.loginAs();
      const s = await makeSupportSession(tech, { customerName: 'Live' });
      const created = await sse.waitFor((e) => e.event === 'session.created');
      expect(created.data).toMatchObject({ id: s.id, status: 'waiting', customerName: 'Live', url: s.url });

      await t.browser().post(`${s.path}/note`).send({ note: 'hello from the customer' }).expect(201);
      const note = await sse.waitFor((e) => e.event === 'note.added');
      expect(note.data).toMatchObject({ sessionId: s.id, note: { body: 'hello from the customer' } });

      const { token } = await downloadInstaller(t, s.path, 'linux');
      const reg = await t
        .http()
        .post('/api/agent/register')
        .send(registerBody(token, { hostname: 'LIVE-PC' }))
        .expect(201);
      const device = await sse.waitFor((e) => e.event === 'device.registered');
      expect(device.data).toMatchObject({
        id: reg.body.deviceId,
        hostname: 'LIVE-PC',
        kind: 'quick',
        supportSessionId: s.id,
      });
      const active = await sse.waitFor(
        (e) => e.event === 'session.updated' && (e.data as { status: string }).status === 'active',
      );
      expect(active.data).toMatchObject({ id: s.id, device: { hostname: 'LIVE-PC' } });

      await t.app.get(DevicesService).markOnline(reg.body.deviceId);
      const online = await sse.waitFor(
        (e) => e.event === 'device.updated' && (e.data as { online: boolean }).online,
      );
      expect(online.data).toMatchObject({ id: reg.body.deviceId });

      await tech.post(`/api/quick-support/sessions/${s.id}/end`).expect(200);
      const ended = await sse.waitFor(
        (e) => e.event === 'session.updated' && (e.data as { status: string }).status === 'ended',
      );
      expect(ended.data).toMatchObject({ id: s.id, endReason: 'ended_by_technician' });
      // The internal `session.ended` event (for the agent control channel) is not streamed.
      expect(sse.events.some((e) => e.event === 'session.ended')).toBe(false);
    } finally {
      sse.close();
    }
  });
});
