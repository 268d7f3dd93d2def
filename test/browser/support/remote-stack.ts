import { join } from 'node:path';
import type TestAgent from 'supertest/lib/agent';
import request from 'supertest';
import { freePort } from '../../../agent/src/test-support/xvfb';
import { loadRelayConfig } from '../../../relay/config';
import { startRelay, type RelayServer } from '../../../relay/relay-server';
import { startPortal, type RunningPortal } from '../../agent/support/portal';
import { createTestDatabase } from '../../support/test-db';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TEST_RELAY_SECRET } from '../../support/test-app';

/**
 * The real portal and the real relay, wired to each other the way production runs them: the portal
 * mints tokens for the relay's public URL (which its CSP allows), tells the relay to close ended
 * sessions, and the relay reports pairs and closes to the portal, signed. Both on loopback ports.
 */
export interface RemoteStack {
  portal: RunningPortal;
  relay: RelayServer;
  /** `ws://127.0.0.1:<port>` */
  relayWsUrl: string;
  /** The portal's own fresh database (to lay down history a test needs, as rows). */
  databaseUrl: string;
  /** A cookie-keeping client that sends the portal's Origin, signed in as `email`. */
  login(email: string, password: string): Promise<TestAgent>;
  /** Creates a technician as the first admin, and returns a client signed in as them. */
  createTechnician(user: { email: string; name: string; password: string }): Promise<TestAgent>;
  close(): Promise<void>;
}

/**
 * `dataDir` holds both services' state: the portal's DATA_DIR (`portal-data`), the relay's
 * (`relay-data`) and the recordings the relay writes and the portal reads (`recordings`, their
 * RECORDING_DIR). `env` is added to the portal's environment, `relayEnv` to the relay's (each after the
 * defaults, so a suite can override them).
 */
export async function startRemoteStack(opts: {
  dataDir: string;
  env: Record<string, string>;
  relayEnv?: Record<string, string>;
}): Promise<RemoteStack> {
  const db = await createTestDatabase();
  const portalPort = await freePort();
  const origin = `http://127.0.0.1:${portalPort}`;
  const recordingDir = join(opts.dataDir, 'recordings');
  const relay = await startRelay(
    loadRelayConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      RELAY_SECRET: TEST_RELAY_SECRET,
      RELAY_HOST: '127.0.0.1',
      RELAY_PORT: '0',
      PORTAL_ORIGIN: origin,
      RELAY_ALLOWED_ORIGINS: origin,
      RELAY_EVENTS_URL: `${origin}/api/relay/events`,
      RELAY_AUTH_FAILURES_PER_MIN: '0',
      DATA_DIR: join(opts.dataDir, 'relay-data'),
      RECORDING_DIR: recordingDir,
      ...opts.relayEnv,
    }),
  );
  const relayWsUrl = relay.url.replace(/^http/, 'ws');
  let portal: RunningPortal;
  try {
    portal = await startPortal({
      databaseUrl: db.url,
      dataDir: join(opts.dataDir, 'portal-data'),
      port: portalPort,
      env: {
        RELAY_PUBLIC_URL: relayWsUrl,
        RELAY_INTERNAL_URL: relay.url,
        RECORDING_DIR: recordingDir,
        ...opts.env,
      },
    });
  } catch (error) {
    await relay.close();
    await db.drop();
    throw error;
  }
  async function login(email: string, password: string): Promise<TestAgent> {
    const agent = request.agent(portal.baseUrl);
    agent.set('Origin', portal.baseUrl);
    const res = await agent.post('/api/auth/login').send({ email, password });
    if (res.status !== 200) throw new Error(`login as ${email} failed: ${res.status}`);
    return agent;
  }
  return {
    portal,
    relay,
    relayWsUrl,
    databaseUrl: db.url,
    login,
    async createTechnician(user) {
      const admin = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
      await admin
        .post('/api/users')
        .send({ email: user.email, displayName: user.name, role: 'technician', password: user.password })
        .expect(201);
      return login(user.email, user.password);
    },
    async close() {
      await portal.close();
      await relay.close();
      await db.drop();
    },
  };
}
