import { randomBytes, randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { RelayCloseCode } from '../../contracts/relay-close-codes';
import { ZERO_MASK, closed, expectRefused, openPair, pump, subjectFor } from './support/relay-harness';
import { runRelayExpectingExit, spawnRelay } from './support/relay-process';

describe('relay process', () => {
  it('on SIGTERM stops accepting, closes every pair with 1001 and exits within a few seconds', async () => {
    const relay = await spawnRelay();
    const idle = await openPair(relay);
    const stalled = await openPair(relay, randomUUID(), 'files', ZERO_MASK);
    stalled.tech.pause();
    const chunk = randomBytes(64 * 1024);
    await pump(stalled.agent, 1024, () => chunk, 4 * 1024 * 1024, Date.now() + 500);
    const idleClosed = Promise.all([closed(idle.agent), closed(idle.tech)]);
    const stalledAgentClosed = closed(stalled.agent);

    const started = Date.now();
    relay.child.kill('SIGTERM');
    const [agentClose, techClose] = await idleClosed;
    expect(agentClose).toEqual({
      code: RelayCloseCode.ShuttingDown,
      reason: 'The relay is restarting. Reconnect in a moment.',
    });
    expect(techClose.code).toBe(RelayCloseCode.ShuttingDown);
    await expect(openPair(relay)).rejects.toThrow();
    expect(await relay.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await stalledAgentClosed).code).toBe(RelayCloseCode.ShuttingDown);
    expect(relay.logs.some((l) => l.msg === 'relay stopped')).toBe(true);
    stalled.tech.terminate();
  }, 30_000);

  it('writes no token to its logs, accepted or refused', async () => {
    const relay = await spawnRelay();
    const { agent } = await openPair(relay);
    await expectRefused(relay, subjectFor('tech'), { token: 'a.b.c' });
    relay.child.kill('SIGTERM');
    await closed(agent);
    expect(await relay.exited).toBe(0);
    expect(JSON.stringify(relay.logs)).not.toMatch(/eyJ|bearer\./i);
    expect(agent.readyState).toBe(WebSocket.CLOSED);
  }, 30_000);

  it('stops with exit code 78 and one JSON line naming each bad variable when the environment is invalid', async () => {
    const { code, stdout, stderr } = await runRelayExpectingExit({
      RELAY_SECRET: 'relay-test-secret-0123456789abcdef-0123456789abcdef',
      RELAY_PAIR_TIMEOUT_SEC: 'soon',
      RELAY_MAX_PAYLOAD_BYTES: '1',
    });
    expect(code).toBe(78);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 60, service: 'relay' });
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(line.msg).toContain('RELAY_PAIR_TIMEOUT_SEC must be a whole number from 1 to 3600');
    expect(line.msg).toContain('RELAY_MAX_PAYLOAD_BYTES must be a whole number');
    const production = await runRelayExpectingExit({
      NODE_ENV: 'production',
      PORTAL_ORIGIN: 'https://portal.example.com',
    });
    expect(production.code).toBe(78);
    expect(production.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(production.stderr).toContain('RELAY_SECRET is required when NODE_ENV=production');
  }, 30_000);
});
