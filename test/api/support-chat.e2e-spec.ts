import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import type { ChatMessageView } from '../../contracts/api/chat';
import { SupportChatMessages1763780000000 } from '../../migrations/1763780000000-SupportChatMessages';
import type { RelayServer } from '../../relay/relay-server';
import { eventually } from '../agent/support/script-run';
import { FakeAgent } from '../remote-sessions/fake-agent';
import { onlineAgent, startStack } from '../remote-sessions/stack';
import { withMigrationsUpTo } from '../support/migrations';
import { downloadInstaller, makeSupportSession, type MadeSession } from '../support/quick-support-factories';
import { loginCookie, openStream, SseReader } from '../support/sse-reader';
import type { TestApp } from '../support/test-app';

jest.setTimeout(120_000);

/**
 * The quick-support chat end to end, on the real portal, PostgreSQL, relay and control channel: who may
 * read and write, the bounds and normalising, the rate limits, the cap, the ended session, the
 * customer's older note as the first message, live delivery to the technician's stream and to the
 * agent's console, and the console's replies.
 */
describe('support chat', () => {
  let t: TestApp;
  let relay: RelayServer;
  let admin: TestAgent;
  let tech: TestAgent;
  let other: TestAgent;
  let auditor: TestAgent;
  const agents: FakeAgent[] = [];

  async function addUser(email: string, role: string): Promise<[TestAgent, string]> {
    const res = await admin
      .post('/api/users')
      .send({
        email,
        displayName: `The ${role} ${email.split('@')[0]}`,
        role,
        password: 'user-password-1234',
      })
      .expect(201);
    return [await t.loginAs(email, 'user-password-1234'), res.body.user.id as string];
  }

  const chatOf = (s: { id: string }) => `/api/quick-support/sessions/${s.id}/chat`;
  const items = (res: { body: { items: ChatMessageView[] } }) => res.body.items;

  beforeAll(async () => {
    ({ t, relay } = await startStack());
    admin = await t.loginAs();
    [tech] = await addUser('tech@example.test', 'technician');
    [other] = await addUser('other@example.test', 'technician');
    [auditor] = await addUser('auditor@example.test', 'auditor');
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await t?.close();
    await relay?.close();
  });

  it('shows the customer’s note as the first message, then both sides in order, to both sides', async () => {
    const s = await makeSupportSession(tech, { customerName: 'Front desk' });
    await t.browser().post(`${s.path}/note`).send({ note: 'My printer is jammed' }).expect(201);

    const first = await tech.post(chatOf(s)).send({ body: 'Hello, I am looking at it now.' }).expect(201);
    expect(first.body).toMatchObject({
      sessionId: s.id,
      sender: 'technician',
      origin: 'dashboard',
      author: 'The technician tech',
      body: 'Hello, I am looking at it now.',
    });
    const reply = await t.browser().post(`${s.path}/chat`).send({ body: 'Thank you!' }).expect(201);
    expect(reply.body).toMatchObject({ sender: 'customer', origin: 'connect_page', author: null });

    const expected = [
      { sender: 'customer', origin: 'note', body: 'My printer is jammed' },
      { sender: 'technician', origin: 'dashboard', body: 'Hello, I am looking at it now.' },
      { sender: 'customer', origin: 'connect_page', body: 'Thank you!' },
    ];
    const techView = await tech.get(chatOf(s)).expect(200);
    expect(techView.body).toMatchObject({ more: false, open: true });
    expect(items(techView).map(({ sender, origin, body }) => ({ sender, origin, body }))).toEqual(expected);
    const customerView = await t.http().get(`${s.path}/chat`).expect(200);
    expect(items(customerView).map(({ sender, origin, body }) => ({ sender, origin, body }))).toEqual(
      expected,
    );

    // Paging with after=<id>: from the note on, and nothing after the last.
    const noteId = items(techView)[0].id;
    const after = await t.http().get(`${s.path}/chat`).query({ after: noteId }).expect(200);
    expect(items(after).map((m) => m.body)).toEqual(['Hello, I am looking at it now.', 'Thank you!']);
    const limited = await tech.get(chatOf(s)).query({ limit: 1 }).expect(200);
    expect(limited.body).toMatchObject({ more: true, items: [{ id: noteId }] });
    const last = items(techView)[2].id;
    expect(items(await t.http().get(`${s.path}/chat`).query({ after: last }).expect(200))).toEqual([]);
  });

  it('normalises and bounds messages, and answers bad input with a sentence', async () => {
    const s = await makeSupportSession(tech);
    const sent = await t
      .browser()
      .post(`${s.path}/chat`)
      .send({ body: '  \u001b[31mred\u001b[0m\r\nline two\u202e\u0007 <b>bold</b>\t!  ' })
      .expect(201);
    // Control and bidi characters go; markup stays text, to be shown as text.
    expect(sent.body.body).toBe('[31mred[0m\nline two <b>bold</b> !');

    const full = 'é'.repeat(1000);
    expect((await tech.post(chatOf(s)).send({ body: full }).expect(201)).body.body).toBe(full);
    for (const [body, message] of [
      ['', /Write a message/],
      ['   \u0000\u0001 ', /Write a message/],
      ['x'.repeat(1001), /at most 1000 characters/],
      ['x'.repeat(5000), /at most 1000 characters/],
    ] as const) {
      const res = await tech.post(chatOf(s)).send({ body }).expect(400);
      expect(res.body).toEqual({ code: 'validation_failed', message: expect.stringMatching(message) });
      const customer = await t.browser().post(`${s.path}/chat`).send({ body }).expect(400);
      expect(customer.body.code).toBe('validation_failed');
    }
    expect((await tech.post(chatOf(s)).send({ body: 42 }).expect(400)).body.code).toBe('validation_failed');
    expect((await tech.post(chatOf(s)).send({}).expect(400)).body.code).toBe('validation_failed');
    expect((await tech.post(chatOf(s)).send({ body: 'hi', sender: 'customer' }).expect(400)).body.code).toBe(
      'validation_failed',
    );
    const badAfter = await tech.get(chatOf(s)).query({ after: 'not-a-uuid' }).expect(400);
    expect(badAfter.body.message).toMatch(/after/);
    const foreign = await makeSupportSession(tech);
    const foreignMessage = await tech.post(chatOf(foreign)).send({ body: 'other session' }).expect(201);
    const wrongAfter = await tech.get(chatOf(s)).query({ after: foreignMessage.body.id }).expect(400);
    expect(wrongAfter.body).toEqual({ code: 'validation_failed', message: expect.stringMatching(/after/) });
    expect((await tech.get(chatOf(s)).query({ limit: 201 }).expect(400)).body.code).toBe('validation_failed');
  });

  it('lets the owner and admins write, auditors read, nobody else; the customer only with the link', async () => {
    const s = await makeSupportSession(tech);
    await tech.post(chatOf(s)).send({ body: 'From the owner' }).expect(201);
    const byAdmin = await admin.post(chatOf(s)).send({ body: 'From an administrator' }).expect(201);
    expect(byAdmin.body.author).toBe('Administrator');

    const read = await auditor.get(chatOf(s)).expect(200);
    expect(items(read).map((m) => m.body)).toEqual(['From the owner', 'From an administrator']);
    const auditorWrite = await auditor.post(chatOf(s)).send({ body: 'From an auditor' }).expect(403);
    expect(auditorWrite.body.code).toBe('role_not_allowed');

    expect((await other.get(chatOf(s)).expect(403)).body.code).toBe('not_session_owner');
    expect((await other.post(chatOf(s)).send({ body: 'Hi' }).expect(403)).body.code).toBe(
      'not_session_owner',
    );
    expect((await t.http().get(chatOf(s)).expect(401)).body.code).toBe('unauthenticated');
    expect((await t.browser().post(chatOf(s)).send({ body: 'Hi' })).status).toBe(401);
    expect(
      (await tech.get('/api/quick-support/sessions/00000000-0000-4000-8000-000000000000/chat')).status,
    ).toBe(404);

    // A wrong link reads and writes nothing, and says so the same way as an ended one.
    const wrong = `/support/connect/${'A'.repeat(43)}/chat`;
    expect((await t.http().get(wrong).expect(404)).body).toEqual({
      code: 'link_inactive',
      message: expect.any(String),
    });
    expect((await t.browser().post(wrong).send({ body: 'Hi' }).expect(404)).body.code).toBe('link_inactive');
    // Another site cannot post into the customer's chat (the page's own script sends its Origin).
    const crossSite = await t
      .http()
      .post(`${s.path}/chat`)
      .set('Origin', 'https://evil.example')
      .send({ body: 'Click this link' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.code).toBe('cross_site_request');
    expect(items(await tech.get(chatOf(s)).expect(200))).toHaveLength(2);
  });

  it('refuses new messages once the session has ended; the technician still reads them', async () => {
    const s = await makeSupportSession(tech);
    await t.browser().post(`${s.path}/chat`).send({ body: 'Before the end' }).expect(201);
    await tech.post(`/api/quick-support/sessions/${s.id}/end`).send({}).expect(200);

    const closed = await tech.post(chatOf(s)).send({ body: 'Too late' }).expect(409);
    expect(closed.body).toEqual({ code: 'session_closed', message: expect.stringMatching(/ended/) });
    const read = await tech.get(chatOf(s)).expect(200);
    expect(read.body).toMatchObject({ open: false, items: [{ body: 'Before the end' }] });
    for (const res of [
      await t.http().get(`${s.path}/chat`),
      await t.browser().post(`${s.path}/chat`).send({ body: 'Hello?' }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('link_inactive');
    }
  });

  it('keeps at most 500 chat messages per session, and deletes them with the session', async () => {
    const s = await makeSupportSession(tech);
    const db = t.app.get(DataSource);
    await db.query(
      `INSERT INTO support_chat_messages (session_id, sender, origin, body)
       SELECT $1, 'customer', 'connect_page', 'message ' || g FROM generate_series(1, 500) g`,
      [s.id],
    );
    const full = await tech.post(chatOf(s)).send({ body: 'One more' }).expect(409);
    expect(full.body).toEqual({ code: 'chat_limit_reached', message: expect.stringMatching(/500/) });
    expect((await t.browser().post(`${s.path}/chat`).send({ body: 'One more' }).expect(409)).body.code).toBe(
      'chat_limit_reached',
    );
    const page = await tech.get(chatOf(s)).query({ limit: 200 }).expect(200);
    expect(page.body.more).toBe(true);

    await db.query(`DELETE FROM support_sessions WHERE id = $1`, [s.id]);
    const left = await db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM support_chat_messages WHERE session_id = $1`,
      [s.id],
    );
    expect(left[0].n).toBe(0);
  });

  it('rate-limits each side: a technician’s account and a customer’s link', async () => {
    const [busy] = await addUser('busy@example.test', 'technician');
    const s = await makeSupportSession(busy);
    for (let i = 0; i < 20; i++)
      await busy
        .post(chatOf(s))
        .send({ body: `tech ${i}` })
        .expect(201);
    const tooMany = await busy.post(chatOf(s)).send({ body: 'one too many' }).expect(429);
    expect(tooMany.body.code).toBe('rate_limited');
    expect(Number(tooMany.headers['retry-after'])).toBeGreaterThan(0);
    // Other writes by the same technician go on: only chat messages are counted here.
    await busy.get(chatOf(s)).expect(200);

    for (let i = 0; i < 20; i++)
      await t
        .browser()
        .post(`${s.path}/chat`)
        .send({ body: `customer ${i}` })
        .expect(201);
    const customerTooMany = await t
      .browser()
      .post(`${s.path}/chat`)
      .send({ body: 'one too many' })
      .expect(429);
    expect(customerTooMany.body.code).toBe('rate_limited');
    // Reading is not a message: the page's poll goes on.
    expect(items(await t.http().get(`${s.path}/chat`).query({ limit: 200 }).expect(200))).toHaveLength(40);
  });

  it('delivers live: the owner’s stream gets each message, another technician’s does not', async () => {
    const s = await makeSupportSession(tech);
    const mine = new SseReader(
      await openStream(t.baseUrl, await loginCookie(t, 'tech@example.test', 'user-password-1234')),
    );
    const theirs = new SseReader(
      await openStream(t.baseUrl, await loginCookie(t, 'other@example.test', 'user-password-1234')),
    );
    try {
      await t.browser().post(`${s.path}/chat`).send({ body: 'Live from the customer' }).expect(201);
      const event = await mine.waitFor((e) => e.event === 'chat.message');
      expect(event.data).toMatchObject({
        sessionId: s.id,
        message: { sender: 'customer', body: 'Live from the customer', sessionId: s.id },
      });
      // The other technician's stream carries the team's events but never this chat.
      const later = await makeSupportSession(tech);
      await theirs.waitFor(
        (e) => e.event === 'session.created' && (e.data as { id: string }).id === later.id,
      );
      expect(JSON.stringify(theirs.events)).not.toContain('Live from the customer');
    } finally {
      mine.close();
      theirs.close();
    }
  });

  describe('the agent’s console', () => {
    let s: MadeSession;
    let agent: FakeAgent;

    beforeAll(async () => {
      s = await makeSupportSession(tech);
      const { token } = await downloadInstaller(t, s.path, 'linux');
      ({ agent } = await onlineAgent(t, tech, token, agents, { protocolVersion: '1.3' }));
    });

    it('gets each technician message as chat_message, and its replies join the chat', async () => {
      const sent = await tech.post(chatOf(s)).send({ body: 'Please restart the printer.' }).expect(201);
      const delivered = await eventually(
        () =>
          agent
            .received('chat_message')
            .find((m) => m.type === 'chat_message' && m.messageId === sent.body.id),
        'chat_message at the agent',
      );
      expect(delivered).toMatchObject({
        author: 'The technician tech',
        body: 'Please restart the printer.',
        sentAt: sent.body.createdAt,
      });

      agent.send({ type: 'chat_reply', id: 'cr-1', body: 'Done, it works\u001b]0;pwned\u0007 now.' });
      const answer = await eventually(
        () => agent.received('ack').find((m) => m.type === 'ack' && m.replyTo === 'cr-1'),
        'ack of the reply',
      );
      expect(answer).toBeDefined();
      const chat = items(await tech.get(chatOf(s)).expect(200));
      expect(chat.at(-1)).toMatchObject({
        sender: 'customer',
        origin: 'agent_console',
        body: 'Done, it works]0;pwned now.',
      });
      expect(chat.at(-1)?.author).toBeNull();
    });

    it('refuses an empty reply and any reply once the session has ended, with a reason', async () => {
      agent.send({ type: 'chat_reply', id: 'cr-2', body: ' \u0000 ' });
      const empty = await eventually(
        () => agent.received('error').find((m) => m.type === 'error' && m.replyTo === 'cr-2'),
        'refusal of an empty reply',
      );
      expect(empty).toMatchObject({ code: 'bad_message', message: expect.stringMatching(/Write a message/) });

      await tech.post(`/api/quick-support/sessions/${s.id}/end`).send({}).expect(200);
      agent.send({ type: 'chat_reply', id: 'cr-3', body: 'Are you still there?' });
      const ended = await eventually(
        () => agent.received('error').find((m) => m.type === 'error' && m.replyTo === 'cr-3'),
        'refusal after the end',
      );
      expect(ended).toMatchObject({ code: 'not_found', message: expect.stringMatching(/ended/) });
      expect(items(await tech.get(chatOf(s)).expect(200)).map((m) => m.body)).not.toContain(
        'Are you still there?',
      );
    });
  });

  it('rate-limits the console’s replies per device', async () => {
    const s = await makeSupportSession(tech);
    const { token } = await downloadInstaller(t, s.path, 'linux');
    const { agent } = await onlineAgent(t, tech, token, agents);
    for (let i = 1; i <= 21; i++) agent.send({ type: 'chat_reply', id: `rl-${i}`, body: `reply ${i}` });
    // Stored one after the other, in the order sent: the last is the one refused.
    const answered = () => [...agent.received('ack'), ...agent.received('error')];
    await eventually(() => answered().length === 21, 'an answer to every reply');
    expect(agent.received('ack')).toHaveLength(20);
    expect(agent.received('error')).toEqual([
      {
        type: 'error',
        replyTo: 'rl-21',
        code: 'limit_reached',
        message: expect.stringMatching(/Try again/),
      },
    ]);
    expect(items(await tech.get(chatOf(s)).expect(200)).map((m) => m.body)).toEqual(
      Array.from({ length: 20 }, (_, i) => `reply ${i + 1}`),
    );
  });

  it('tells the viewer which support session a remote session belongs to', async () => {
    const s = await makeSupportSession(tech);
    const { token } = await downloadInstaller(t, s.path, 'linux');
    const { deviceId } = await onlineAgent(t, tech, token, agents);
    const started = await tech
      .post('/api/remote-sessions')
      .send({ deviceId, type: 'attended', protocol: 'vnc', recordingEnabled: false })
      .expect(201);
    const rs = started.body.session.id as string;
    expect((await tech.get(`/api/remote-sessions/${rs}/support-session`).expect(200)).body).toEqual({
      supportSessionId: s.id,
    });
    expect((await other.get(`/api/remote-sessions/${rs}/support-session`).expect(403)).body.code).toBe(
      'not_session_owner',
    );
    await tech.post(`/api/remote-sessions/${rs}/end`).send({}).expect(200);
  });
});

describe('SupportChatMessages migration', () => {
  it('goes down and up again on a real PostgreSQL, leaves notes alone, and refuses unknown senders', async () => {
    await withMigrationsUpTo(SupportChatMessages1763780000000, async (ds) => {
      await ds.runMigrations();
      const [{ id: session }] = await ds.query<{ id: string }[]>(
        `INSERT INTO support_sessions (token_hash, expires_at) VALUES (repeat('a', 64), now() + interval '1 hour') RETURNING id`,
      );
      await ds.query(`INSERT INTO support_session_notes (session_id, body) VALUES ($1, 'a note')`, [session]);
      await ds.query(
        `INSERT INTO support_chat_messages (session_id, sender, origin, body) VALUES ($1, 'customer', 'connect_page', 'hi')`,
        [session],
      );
      await expect(
        ds.query(
          `INSERT INTO support_chat_messages (session_id, sender, origin, body) VALUES ($1, 'system', 'dashboard', 'x')`,
          [session],
        ),
      ).rejects.toThrow(/ck_support_chat_messages_sender/);

      await ds.undoLastMigration();
      const tables = async (): Promise<string[]> =>
        (
          await ds.query<{ table_name: string }[]>(
            `SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'support_%' ORDER BY 1`,
          )
        ).map((r) => r.table_name);
      expect(await tables()).toEqual(['support_session_notes', 'support_sessions']);
      expect(await ds.query(`SELECT body FROM support_session_notes`)).toEqual([{ body: 'a note' }]);
      await ds.runMigrations();
      expect(await tables()).toEqual(['support_chat_messages', 'support_session_notes', 'support_sessions']);
    });
  });
});
