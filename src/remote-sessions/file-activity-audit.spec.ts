import { Subject } from 'rxjs';
import type { FileActivityMessage } from '../../contracts/agent-protocol/control-messages';
import type { AgentControlEvent, AgentControlService } from '../agent-control/agent-control.service';
import type { AuditEntry, AuditService } from '../audit/audit.service';
import type { RemoteSession } from './entities/remote-session.entity';
import { FILE_ACTIVITY_GRACE_MS, FILE_ACTIVITY_PER_SESSION, FileActivityAudit } from './file-activity-audit';
import type { RemoteSessionQueries } from './remote-session.queries';

const DEVICE = '11111111-1111-4111-8111-111111111111';
const SESSION = '22222222-2222-4222-8222-222222222222';

/** The subscriber on a stand-in event stream: what reaches the trail for each session row. */
function setup(row: Partial<RemoteSession> | null) {
  const events = new Subject<AgentControlEvent>();
  const written: AuditEntry[] = [];
  const audit = {
    recordOrDefer: (e: AuditEntry) => {
      written.push(e);
      return Promise.resolve('recorded' as const);
    },
  } as unknown as AuditService;
  const session = row && {
    id: SESSION,
    deviceId: DEVICE,
    technicianId: 'tech-1',
    status: 'active',
    channels: ['screen', 'shell', 'files'],
    endedAt: null,
    ...row,
  };
  let lookups = 0;
  const queries = {
    findRow: () => {
      lookups++;
      return Promise.resolve(session);
    },
  } as unknown as RemoteSessionQueries;
  const agents = { events } as unknown as AgentControlService;
  const sub = new FileActivityAudit(agents, audit, queries);
  sub.onModuleInit();
  const report = (over: Partial<FileActivityMessage> = {}, deviceId = DEVICE) =>
    events.next({
      type: 'agent.message',
      deviceId,
      message: {
        type: 'file_activity',
        sessionId: SESSION,
        action: 'upload',
        path: '/tmp/a',
        result: 'ok',
        ...over,
      },
    });
  return { sub, written, report, lookups: () => lookups };
}

describe('FileActivityAudit', () => {
  it('writes one agent line per report, with the session’s technician', async () => {
    const { sub, written, report } = setup({});
    report({ bytes: 5, sha256: 'b'.repeat(64) });
    await sub.settled(SESSION);
    expect(written).toEqual([
      {
        actorType: 'agent',
        actorId: DEVICE,
        action: 'remote_session.file_upload',
        targetType: 'remote_session',
        targetId: SESSION,
        details: {
          deviceId: DEVICE,
          technicianId: 'tech-1',
          path: '/tmp/a',
          bytes: 5,
          sha256: 'b'.repeat(64),
          result: 'ok',
        },
      },
    ]);
  });

  it.each([
    ['another device’s session', {}, 'someone-else'],
    ['a session without the files channel', { channels: ['screen', 'shell'] }, DEVICE],
    [
      'a session that ended long ago',
      { status: 'ended' as const, endedAt: new Date(Date.now() - FILE_ACTIVITY_GRACE_MS - 1000) },
      DEVICE,
    ],
  ])('ignores a report about %s', async (_label, row, deviceId) => {
    const { sub, written, report } = setup(row);
    report({}, deviceId);
    await sub.settled(SESSION);
    expect(written).toEqual([]);
  });

  it('ignores a report about no session', async () => {
    const { sub, written, report } = setup(null);
    report();
    await sub.settled(SESSION);
    expect(written).toEqual([]);
  });

  it('takes a transfer cut short by the session’s end, reported just after it', async () => {
    const { sub, written, report } = setup({ status: 'ended', endedAt: new Date(Date.now() - 1000) });
    report({ result: 'cancelled' });
    await sub.settled(SESSION);
    expect(written.map((e) => e.details?.['result'])).toEqual(['cancelled']);
  });

  it(`takes at most ${FILE_ACTIVITY_PER_SESSION} reports per session`, async () => {
    const { sub, written, report } = setup({});
    for (let i = 0; i < FILE_ACTIVITY_PER_SESSION + 5; i++) report({ path: `/tmp/${i}` });
    await sub.settled(SESSION);
    expect(written).toHaveLength(FILE_ACTIVITY_PER_SESSION);
    expect(written.at(-1)?.details?.['path']).toBe(`/tmp/${FILE_ACTIVITY_PER_SESSION - 1}`);
  });

  it('past the cap, a report costs no database lookup and queues nothing', async () => {
    const { sub, written, report, lookups } = setup({});
    for (let i = 0; i < FILE_ACTIVITY_PER_SESSION; i++) report({ path: `/tmp/${i}` });
    await sub.settled(SESSION);
    const before = lookups();
    for (let i = 0; i < 1000; i++) report({ path: `/tmp/flood-${i}` });
    await sub.settled(SESSION);
    expect(lookups()).toBe(before);
    expect(written).toHaveLength(FILE_ACTIVITY_PER_SESSION);
  });
});
