import { DataSource } from 'typeorm';
import type { PortalToAgentMessage } from '../../contracts/agent-protocol/control-messages';
import { AuditOutbox1763740000000 } from '../../migrations/1763740000000-AuditOutbox';
import type { RelayServer } from '../../relay/relay-server';
import { AuditOutbox } from '../../src/audit/audit-outbox';
import { auditQueries } from '../../src/audit/audit.queries';
import { eventually } from '../agent/support/script-run';
import type { FakeAgent } from '../remote-sessions/fake-agent';
import { onlineAgent, startStack } from '../remote-sessions/stack';
import { downloadInstaller, makeSupportSession } from '../support/quick-support-factories';
import { withMigrationsUpTo } from '../support/migrations';
import type { TestApp } from '../support/test-app';

jest.setTimeout(120_000);

type Tech = Awaited<ReturnType<TestApp['loginAs']>>;

interface AuditLine {
  id: string;
  at: Date;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_id: string | null;
  details: Record<string, unknown>;
}

/**
 * Issue 10 item 3 on the real portal, relay and control channel, with a stand-in agent: an action the
 * device carries out is recorded before it is sent (and not sent when it cannot be recorded); ending a
 * session always succeeds, and its audit line follows through the outbox exactly once.
 *
 * The audit trail is made to fail the way a real one does: a trigger on `audit_events` (this suite's
 * own database) that raises on every insert.
 */
describe('audit fails closed (issue 10 item 3)', () => {
  let t: TestApp;
  let relay: RelayServer;
  let db: DataSource;
  const agents: FakeAgent[] = [];

  beforeAll(async () => {
    ({ t, relay } = await startStack());
    db = t.app.get(DataSource);
  });
  afterEach(async () => {
    await restoreAudit();
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await t.close();
    await relay.close();
  });

  async function failAudit(): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION test_audit_refuses() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit storage unavailable (test)'; END $$`);
    await db.query(`
      CREATE TRIGGER tr_test_audit_refuses BEFORE INSERT ON audit_events
      FOR EACH ROW EXECUTE FUNCTION test_audit_refuses()`);
  }

  async function restoreAudit(): Promise<void> {
    await db.query(`DROP TRIGGER IF EXISTS tr_test_audit_refuses ON audit_events`);
    await db.query(`DROP FUNCTION IF EXISTS test_audit_refuses()`);
  }

  const lines = (action: string, targetId: string): Promise<AuditLine[]> =>
    db.query(
      `SELECT id, at, actor_type, actor_id, action, target_id, details FROM audit_events
        WHERE action = $1 AND target_id = $2 ORDER BY id`,
      [action, targetId],
    );

  /** Polls (bounded) until the line is in the trail, then gives every copy of it. */
  async function linesOnceThere(action: string, targetId: string): Promise<AuditLine[]> {
    await eventually(async () => (await lines(action, targetId)).length > 0, `${action} in audit_events`);
    return lines(action, targetId);
  }

  /** A quick-support device with its stand-in agent connected, and a VNC remote session on it. */
  async function sessionOnDevice(onMessage?: (m: PortalToAgentMessage) => Promise<void>): Promise<{
    tech: Tech;
    me: string;
    agent: FakeAgent;
    deviceId: string;
    supportId: string;
    sessionId: string;
  }> {
    const tech = await t.loginAs();
    const me = (await tech.get('/api/auth/me')).body.id as string;
    const support = await makeSupportSession(tech, { customerName: 'Accounts' });
    const { token } = await downloadInstaller(t, support.path, 'linux');
    const { deviceId, agent } = await onlineAgent(t, tech, token, agents, {}, onMessage ? { onMessage } : {});
    const started = await tech
      .post('/api/remote-sessions')
      .send({ deviceId, type: 'attended', protocol: 'vnc', recordingEnabled: false })
      .expect(201);
    return { tech, me, agent, deviceId, supportId: support.id, sessionId: started.body.session.id as string };
  }

  const closedFor = (agent: FakeAgent, sessionId: string): boolean =>
    agent
      .received('close_channel')
      .some((m) => m.type === 'close_channel' && m.sessionId === sessionId && m.reason === 'session ended');

  it('refuses a command with 503 audit_unavailable while the audit trail fails, and the device never receives it', async () => {
    const { tech, agent, deviceId, sessionId } = await sessionOnDevice();
    const before = agent.inbox.length;
    await failAudit();

    const refused = await tech
      .post(`/api/remote-sessions/${sessionId}/commands`)
      .send({ command: 'cat /etc/shadow' });
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({
      code: 'audit_unavailable',
      message: expect.stringMatching(/audit trail/),
    });
    expect(refused.headers['retry-after']).toEqual(expect.stringMatching(/^\d+$/));

    // Opening channels again, or a new session, reaches the device only once recorded: refused too.
    const again = await tech.post(`/api/remote-sessions/${sessionId}/tokens`);
    expect({ status: again.status, code: again.body.code }).toEqual({
      status: 503,
      code: 'audit_unavailable',
    });
    const another = await tech
      .post('/api/remote-sessions')
      .send({ deviceId, type: 'attended', protocol: 'vnc', recordingEnabled: false });
    expect({ status: another.status, code: another.body.code }).toEqual({
      status: 503,
      code: 'audit_unavailable',
    });

    // Ending is sent to the agent on the same ordered channel after the refusals: once the agent has
    // it, anything the refused requests had sent would be in its inbox already.
    await tech.post(`/api/remote-sessions/${sessionId}/end`).expect(200);
    await eventually(() => closedFor(agent, sessionId), 'close_channel for the ended session');
    expect(agent.received('run_command')).toEqual([]);
    // The only thing the device heard since the trail failed: close the ended session's channels.
    expect(agent.inbox.slice(before).map((m) => [m.type, 'reason' in m ? m.reason : undefined])).toEqual([
      ['close_channel', 'session ended'],
    ]);
  });

  it('commits the command’s audit row, with its text, session, device and technician, before the device receives it; the exit follows', async () => {
    const command = `printf 'audit-first-%s\\n' "$(hostname)"`;
    const seenByAgent: Array<AuditLine[]> = [];
    const { tech, me, deviceId, sessionId } = await sessionOnDevice(async (m) => {
      if (m.type !== 'run_command') return;
      // In the agent's handler, before it answers: the row must already be committed.
      seenByAgent.push(
        await db.query(
          `SELECT id, at, actor_type, actor_id, action, target_id, details FROM audit_events
            WHERE action = 'remote_session.command_run' AND details->>'commandId' = $1`,
          [m.commandId],
        ),
      );
    });

    const res = await tech.post(`/api/remote-sessions/${sessionId}/commands`).send({ command }).expect(201);
    const commandId = res.body.commandId as string;
    expect(seenByAgent).toHaveLength(1);
    expect(seenByAgent[0]).toEqual([
      expect.objectContaining({
        actor_type: 'user',
        actor_id: me,
        target_id: sessionId,
        details: expect.objectContaining({ commandId, command, deviceId, technicianId: me }),
      }),
    ]);

    const exited = await linesOnceThere('remote_session.command_exited', sessionId);
    expect(exited).toEqual([
      expect.objectContaining({
        actor_id: me,
        details: expect.objectContaining({ commandId, exitCode: 0, cancelled: false }),
      }),
    ]);
    expect(BigInt(exited[0].id)).toBeGreaterThan(BigInt(seenByAgent[0][0].id));
  });

  it('ends a remote session from the viewer while the audit trail fails (200, ended); its row follows exactly once with its time and technician', async () => {
    const { tech, me, agent, sessionId } = await sessionOnDevice();
    await failAudit();

    const ended = await tech.post(`/api/remote-sessions/${sessionId}/end`);
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ status: 'ended', endReason: 'technician' });
    await eventually(() => closedFor(agent, sessionId), 'agent told to close');
    expect(await lines('remote_session.ended', sessionId)).toEqual([]);

    await restoreAudit();
    const trail = await linesOnceThere('remote_session.ended', sessionId);
    const [row] = await db.query<{ ended_at: Date }[]>(`SELECT ended_at FROM remote_sessions WHERE id = $1`, [
      sessionId,
    ]);
    expect(trail).toEqual([
      expect.objectContaining({ actor_type: 'user', actor_id: me, details: { reason: 'technician' } }),
    ]);
    expect(trail[0].at.toISOString()).toBe(row.ended_at.toISOString());
    // Later flushes (and ending again) add nothing.
    await t.app.get(AuditOutbox).flush();
    await tech.post(`/api/remote-sessions/${sessionId}/end`).expect(200);
    await t.app.get(AuditOutbox).flush();
    expect(await lines('remote_session.ended', sessionId)).toHaveLength(1);
  });

  it('ends a quick-support session while the audit trail fails (200, ended, its remote session too); each row follows exactly once', async () => {
    const { tech, me, agent, supportId, sessionId } = await sessionOnDevice();
    await failAudit();

    const ended = await tech.post(`/api/quick-support/sessions/${supportId}/end`).send({});
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ status: 'ended' });
    await eventually(() => agent.received('end_session').length > 0, 'agent told the support session ended');
    await eventually(
      async () =>
        (await tech.get(`/api/remote-sessions/${sessionId}`)).body.endReason === 'quick_support_ended',
      'remote session ended with it',
    );

    await restoreAudit();
    expect(await linesOnceThere('support_session.ended', supportId)).toEqual([
      expect.objectContaining({
        actor_type: 'user',
        actor_id: me,
        details: { reason: 'ended_by_technician' },
      }),
    ]);
    expect(await linesOnceThere('remote_session.ended', sessionId)).toEqual([
      expect.objectContaining({ actor_type: 'system', details: { reason: 'quick_support_ended' } }),
    ]);
    await eventually(
      async () => (await db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM audit_outbox`))[0].n === 0,
      'outbox empty',
    );
    expect(await lines('support_session.ended', supportId)).toHaveLength(1);
    expect(await lines('remote_session.ended', sessionId)).toHaveLength(1);
  });
  it('refuses Quick Assist start (503, never sent) while the audit trail fails, but stopping Quick Assist and cancelling a command still work; their rows follow', async () => {
    const { tech, me, agent, deviceId, sessionId } = await sessionOnDevice();
    const { commandId } = (
      await tech.post(`/api/remote-sessions/${sessionId}/commands`).send({ command: 'sleep 600' }).expect(201)
    ).body as { commandId: string };
    const before = agent.inbox.length;
    await failAudit();

    const start = await tech.post(`/api/devices/${deviceId}/remotehelp/start`).send({});
    expect({ status: start.status, code: start.body.code }).toEqual({
      status: 503,
      code: 'audit_unavailable',
    });
    const install = await tech.post(`/api/devices/${deviceId}/remotehelp/install`).send({});
    expect({ status: install.status, code: install.body.code }).toEqual({
      status: 503,
      code: 'audit_unavailable',
    });
    const stop = await tech.post(`/api/devices/${deviceId}/remotehelp/stop`).send({});
    expect(stop.status).toBe(200);
    expect(stop.body).toMatchObject({ stopped: true });
    await tech.post(`/api/remote-sessions/${sessionId}/commands/${commandId}/cancel`).send({}).expect(204);
    // Each answer above came back from the agent, in order: what it heard is all it was sent.
    expect(agent.inbox.slice(before).map((m) => m.type)).toEqual(['remotehelp_stop', 'cancel_command']);

    await restoreAudit();
    expect(await linesOnceThere('quick_assist.stopped', deviceId)).toEqual([
      expect.objectContaining({ actor_id: me, details: expect.objectContaining({ stopped: true }) }),
    ]);
    expect(await linesOnceThere('remote_session.command_cancelled', sessionId)).toEqual([
      expect.objectContaining({ actor_id: me, details: expect.objectContaining({ commandId }) }),
    ]);
    expect(await lines('quick_assist.start_requested', deviceId)).toEqual([]);
  });

  it('ends a session even when the outbox refuses too: the entry waits in memory and reaches the trail once', async () => {
    const { tech, me, sessionId } = await sessionOnDevice();
    await failAudit();
    await db.query(`
      CREATE TRIGGER tr_test_outbox_refuses BEFORE INSERT ON audit_outbox
      FOR EACH ROW EXECUTE FUNCTION test_audit_refuses()`);
    try {
      const ended = await tech.post(`/api/remote-sessions/${sessionId}/end`);
      expect(ended.status).toBe(200);
      expect(ended.body).toMatchObject({ status: 'ended', endReason: 'technician' });
      expect(t.app.get(AuditOutbox).held).toBeGreaterThan(0);
    } finally {
      await db.query(`DROP TRIGGER IF EXISTS tr_test_outbox_refuses ON audit_outbox`);
    }
    await restoreAudit();
    const trail = await linesOnceThere('remote_session.ended', sessionId);
    expect(trail).toEqual([expect.objectContaining({ actor_id: me, details: { reason: 'technician' } })]);
    const [row] = await db.query<{ ended_at: Date }[]>(`SELECT ended_at FROM remote_sessions WHERE id = $1`, [
      sessionId,
    ]);
    // Held entries keep the transition's time, not the flush's.
    expect(trail[0].at.toISOString()).toBe(row.ended_at.toISOString());
    await t.app.get(AuditOutbox).flush();
    expect(await lines('remote_session.ended', sessionId)).toHaveLength(1);
  });

  it('moves each outbox entry exactly once when several portals flush at the same time', async () => {
    await db.query(
      `INSERT INTO audit_outbox (at, actor_type, action, target_type, target_id, details)
       SELECT now() - make_interval(secs => i), 'system', 'test.outbox_race', 'test', 'race', jsonb_build_object('i', i)
         FROM generate_series(1, 300) AS i`,
    );
    const mover = async (): Promise<void> => {
      while ((await auditQueries.moveOutboxBatch(db, 7)) > 0) {
        // keep moving until this mover finds nothing it can lock
      }
    };
    await Promise.all([mover(), mover(), mover(), t.app.get(AuditOutbox).flush()]);
    const counts = await db.query<{ n: number; distinct_i: number }[]>(
      `SELECT count(*)::int AS n, count(DISTINCT details->>'i')::int AS distinct_i
         FROM audit_events WHERE action = 'test.outbox_race'`,
    );
    expect(counts[0]).toEqual({ n: 300, distinct_i: 300 });
    const left = await db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM audit_outbox WHERE action = 'test.outbox_race'`,
    );
    expect(left[0].n).toBe(0);
  });
});

describe('AuditOutbox migration', () => {
  it('goes up, down and up again cleanly on a real PostgreSQL', async () => {
    await withMigrationsUpTo(AuditOutbox1763740000000, async (ds) => {
      const outbox = async (): Promise<number> =>
        (
          await ds.query<unknown[]>(
            `SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'audit_outbox'`,
          )
        ).length;
      await ds.runMigrations();
      expect(await outbox()).toBe(1);
      await ds.undoLastMigration();
      expect(await outbox()).toBe(0);
      await ds.runMigrations();
      expect(await outbox()).toBe(1);
    });
  });
});
