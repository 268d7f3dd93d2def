import { isDatabaseUnavailable } from './database-unavailable';

describe('isDatabaseUnavailable', () => {
  const coded = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

  it.each([
    ['connection refused', coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ['a backend terminated by an administrator (57P01)', coded('57P01')],
    ['too many connections (53300)', coded('53300')],
    ['a connection exception (08006)', coded('08006')],
    [
      'a database not accepting connections',
      new Error('database "x" is not currently accepting connections'),
    ],
    ['TypeORM not connected', Object.assign(new Error('x'), { name: 'CannotExecuteNotConnectedError' })],
    [
      'a QueryFailedError wrapping a lost connection',
      Object.assign(new Error('q'), { driverError: coded('57P01') }),
    ],
  ])('recognises %s', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['a unique violation (23505)', coded('23505')],
    ['an invalid uuid (22P02)', coded('22P02')],
    ['a failed fetch to another service', new TypeError('fetch failed', { cause: coded('ECONNREFUSED') })],
    ['a plain error', new Error('boom')],
    ['a non-error', 'boom'],
  ])('does not treat %s as an outage', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});
