import { ControlCloseCode } from '../../../contracts/agent-protocol/connection';
import type { PortalToAgentMessage } from '../../../contracts/agent-protocol/control-messages';
import { CREDENTIAL, DEVICE, FakePortal, until } from '../test-support/fake-portal';
import { silentLogger } from '../test-support/socket-pair';
import { Backoff } from './backoff';
import { ControlClient, type ControlState } from './control-client';

function client(portal: FakePortal, extra: Partial<ConstructorParameters<typeof ControlClient>[0]> = {}) {
  const states: ControlState[] = [];
  const messages: PortalToAgentMessage[] = [];
  const rejected: string[] = [];
  const c = new ControlClient({
    controlUrl: `ws://127.0.0.1:${portal.port}/api/agent/ws`,
    deviceId: DEVICE,
    credential: CREDENTIAL,
    hello: () => ({
      protocolVersion: '1.0',
      agentVersion: '0.1.0',
      mode: 'quick',
      capabilities: ['shell'],
      killSwitch: false,
    }),
    onMessage: (m) => messages.push(m),
    onState: (s) => states.push(s),
    onRejected: (r) => rejected.push(r),
    logger: silentLogger,
    backoff: new Backoff({ baseMs: 50, capMs: 200, stableAfterMs: 10_000 }),
    uptimeSec: () => 1,
    ...extra,
  });
  return { c, states, messages, rejected };
}

describe('ControlClient', () => {
  it('authenticates with the device bearer, says hello, and passes portal requests on', async () => {
    const portal = new FakePortal();
    await portal.start();
    const { c, messages } = client(portal);
    c.start();
    try {
      await until(() => portal.received.some((m) => m.type === 'hello'), 'hello');
      expect(portal.authHeaders[0]).toBe(`Bearer ${DEVICE}.${CREDENTIAL}`);
      expect(portal.received[0]).toMatchObject({ type: 'hello', mode: 'quick', killSwitch: false });
      portal.send({ type: 'get_status', id: 'g1' });
      await until(() => messages.length === 1, 'message');
      expect(messages[0]).toEqual({ type: 'get_status', id: 'g1' });
    } finally {
      await c.stop({ type: 'goodbye', reason: 'user_exit' });
      await portal.stop();
    }
    expect(portal.received.at(-1)).toEqual({ type: 'goodbye', reason: 'user_exit' });
  });

  it('answers a malformed portal frame with bad_message and keeps going', async () => {
    const portal = new FakePortal();
    await portal.start();
    const { c, messages } = client(portal);
    c.start();
    try {
      await until(() => portal.sockets.length === 1 && portal.received.length > 0, 'connected');
      for (const ws of portal.sockets)
        ws.send(JSON.stringify({ type: 'run_command', id: 'x1', commandId: 'c', command: 'ls\u0000' }));
      await until(() => portal.received.some((m) => m.type === 'error'), 'error reply');
      expect(portal.received.find((m) => m.type === 'error')).toMatchObject({
        replyTo: 'x1',
        code: 'bad_message',
      });
      expect(messages).toEqual([]);
    } finally {
      await c.stop();
      await portal.stop();
    }
  });

  it('reconnects with the same credential after the portal restarts (no re-registration)', async () => {
    const portal = new FakePortal();
    await portal.start();
    const { c, states } = client(portal);
    c.start();
    try {
      await until(() => portal.received.some((m) => m.type === 'hello'), 'first hello');
      const port = portal.port;
      await portal.stop();
      await until(() => states.includes('reconnecting'), 'reconnecting');
      const again = new FakePortal();
      await again.start(port);
      await until(() => again.received.some((m) => m.type === 'hello'), 'second hello', 10_000);
      expect(again.authHeaders.every((h) => h === `Bearer ${DEVICE}.${CREDENTIAL}`)).toBe(true);
      expect(c.connected).toBe(true);
      await c.stop();
      await again.stop();
    } finally {
      await c.stop();
    }
  });

  it.each([401, 410, 426])('gives up for good when the upgrade is answered %i', async (status) => {
    const portal = new FakePortal();
    portal.refuseWith = status;
    await portal.start();
    const { c, rejected } = client(portal);
    c.start();
    try {
      await until(() => rejected.length === 1, 'rejected');
      expect(rejected[0]).toContain(`HTTP ${status}`);
      await new Promise((r) => setTimeout(r, 300));
      expect(portal.authHeaders).toHaveLength(1);
    } finally {
      await c.stop();
      await portal.stop();
    }
  });

  it('gives up when the portal closes with "device gone" (4410), reconnects on 1001', async () => {
    const portal = new FakePortal();
    await portal.start();
    const { c, rejected } = client(portal);
    c.start();
    try {
      await until(() => portal.sockets.length === 1, 'connected');
      portal.sockets.splice(0).forEach((ws) => ws.close(ControlCloseCode.PortalShuttingDown, 'restart'));
      await until(() => portal.sockets.length === 1, 'reconnected');
      portal.sockets.splice(0).forEach((ws) => ws.close(ControlCloseCode.DeviceGone, 'gone'));
      await until(() => rejected.length === 1, 'rejected');
      expect(rejected[0]).toContain('4410');
    } finally {
      await c.stop();
      await portal.stop();
    }
  });
});
