import type { DataSource, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { AuditOutbox, MEMORY_QUEUE_LIMIT } from './audit-outbox';
import type { AuditRow } from './audit.queries';

const row = (action: string): AuditRow => ({
  actorType: 'user',
  actorId: '11111111-2222-4333-8444-555555555555',
  action,
  targetType: 'remote_session',
  targetId: '9b2e6c1d-0f3a-4d5b-8e7f-1a2b3c4d5e6f',
  details: { reason: 'technician' },
});

function setup(query: jest.Mock = jest.fn(() => Promise.resolve([]))) {
  const dataSource = { subscribers: [] as unknown[], query };
  const outbox = new AuditOutbox(dataSource as unknown as DataSource);
  return { outbox, dataSource, query };
}

/** A transaction's query runner: active until the test says it committed or rolled back. */
function transaction(): { qr: QueryRunner; end: () => { queryRunner: QueryRunner } } {
  const qr = { isTransactionActive: true } as QueryRunner;
  return {
    qr,
    end: () => {
      (qr as { isTransactionActive: boolean }).isTransactionActive = false;
      return { queryRunner: qr };
    },
  };
}

describe('AuditOutbox', () => {
  it('listens for commits and rollbacks on the data source', () => {
    const { outbox, dataSource } = setup();
    expect(dataSource.subscribers).toContain(outbox);
  });

  it('keeps an entry made inside a transaction only once that transaction commits', () => {
    const { outbox } = setup();
    const tx = transaction();
    outbox.hold(row('remote_session.ended'), tx.qr);
    expect(outbox.held).toBe(0);
    outbox.afterTransactionCommit({ queryRunner: tx.qr } as TransactionCommitEvent); // a nested savepoint
    expect(outbox.held).toBe(0);
    outbox.afterTransactionCommit(tx.end() as TransactionCommitEvent);
    expect(outbox.held).toBe(1);
  });

  it('forgets an entry whose transaction rolled back (the action did not happen)', () => {
    const { outbox } = setup();
    const tx = transaction();
    outbox.hold(row('remote_session.ended'), tx.qr);
    outbox.afterTransactionRollback(tx.end() as TransactionRollbackEvent);
    expect(outbox.held).toBe(0);
  });

  it('is bounded: beyond the limit the oldest entry goes', () => {
    const { outbox } = setup();
    for (let i = 0; i <= MEMORY_QUEUE_LIMIT; i++) outbox.hold(row(`a.${i}`));
    expect(outbox.held).toBe(MEMORY_QUEUE_LIMIT);
  });

  it('flush moves held entries to the outbox, then the outbox into the trail; a failing trail keeps them and never throws', async () => {
    const query = jest.fn((sql: string): Promise<unknown[]> =>
      sql.startsWith('INSERT INTO audit_outbox') || sql.startsWith('INSERT INTO audit_events')
        ? Promise.reject(new Error('audit storage unavailable'))
        : Promise.resolve([]),
    );
    const { outbox } = setup(query);
    outbox.hold(row('remote_session.ended'));
    await expect(outbox.flush()).resolves.toBe(0);
    expect(outbox.held).toBe(1);

    query.mockImplementation((sql: string) =>
      Promise.resolve(sql.includes('WITH moved') ? [{ id: '1' }] : []),
    );
    await expect(outbox.flush()).resolves.toBe(1);
    expect(outbox.held).toBe(0);
    const held = query.mock.calls.find(([sql]) => sql.startsWith('INSERT INTO audit_outbox')) as unknown as [
      string,
      unknown[],
    ];
    expect(held[1][0]).toBeInstanceOf(Date); // the entry keeps its own time
  });
});
