import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app-setup';
import { AppConfig, loadAppConfig } from '../../src/config/app-config';
import { UsersService } from '../../src/users/users.service';
import { createTestDatabase } from './test-db';

export const TEST_RELAY_SECRET = 'test-relay-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
export const ADMIN_EMAIL = 'admin@example.test';
export const ADMIN_PASSWORD = 'admin-password-for-tests';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  /** e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /** supertest against the live server (no cookies kept). */
  http(): TestAgent;
  /** A cookie-keeping agent that sends the portal's Origin on every request, like the dashboard. */
  browser(): TestAgent;
  /** A browser-like agent already logged in. */
  loginAs(email?: string, password?: string): Promise<TestAgent>;
  close(): Promise<void>;
}

/**
 * The real portal, on its own fresh PostgreSQL database with the real migrations, listening on a
 * random loopback port. `env` overrides environment variables (as strings, like the real thing).
 */
export async function createTestApp(
  env: Record<string, string> = {},
  opts: {
    port?: number;
    /** Rewrites the fresh database's URL (e.g. to reach it through a proxy the test can cut). */
    databaseUrl?: (url: string) => string;
  } = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'qs-test-data-'));
  // The portal must know its own origin before it starts (links, install commands, CSRF), so the
  // port is chosen first.
  const port = opts.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadAppConfig({
    PORTAL_ORIGIN: baseUrl,
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    RELAY_SECRET: TEST_RELAY_SECRET,
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LOG_LEVEL: 'silent',
    ...env,
    DATABASE_URL: opts.databaseUrl ? opts.databaseUrl(db.url) : db.url,
  });
  const app = await NestFactory.create(AppModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  configureApp(app, config);
  await app.init();
  await app.get(UsersService).ensureFirstAdmin(config.admin.email, config.admin.password);
  await app.listen(port, '127.0.0.1');

  const browser = (): TestAgent => {
    const agent = request.agent(baseUrl);
    agent.set('Origin', baseUrl);
    return agent;
  };
  return {
    app,
    config,
    baseUrl,
    http: () => request.agent(baseUrl),
    browser,
    async loginAs(email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
      const agent = browser();
      const res = await agent.post('/api/auth/login').send({ email, password });
      if (res.status !== 200)
        throw new Error(`login as ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return agent;
    },
    async close() {
      await app.close();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A free loopback port (for a server that must know its address before it starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
