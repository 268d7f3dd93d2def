import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { AppModule } from '../../../src/app.module';
import { configureApp } from '../../../src/app-setup';
import { loadAppConfig } from '../../../src/config/app-config';
import { UsersService } from '../../../src/users/users.service';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TEST_RELAY_SECRET } from '../../support/test-app';

/**
 * The real portal on a given database and a fixed port (its PORTAL_ORIGIN, embedded in scripts), so a test can stop it and start
 * it again where agents expect it: the "portal restart" the agent must survive without re-registering.
 */
export interface RunningPortal {
  app: INestApplication;
  port: number;
  baseUrl: string;
  http(): TestAgent;
  login(): Promise<TestAgent>;
  close(): Promise<void>;
}

export async function startPortal(opts: {
  databaseUrl: string;
  dataDir: string;
  port: number;
  env?: Record<string, string>;
}): Promise<RunningPortal> {
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATA_DIR: opts.dataDir,
    RELAY_SECRET: TEST_RELAY_SECRET,
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LOG_LEVEL: 'silent',
    PORTAL_ORIGIN: `http://127.0.0.1:${opts.port}`,
    ...opts.env,
    DATABASE_URL: opts.databaseUrl,
  };
  const config = loadAppConfig(env);
  const app = await NestFactory.create(AppModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  configureApp(app, config);
  await app.init();
  await app.get(UsersService).ensureFirstAdmin(config.admin.email, config.admin.password);
  await app.listen(opts.port, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    port,
    baseUrl,
    http: () => request.agent(baseUrl),
    async login() {
      const agent = request.agent(baseUrl);
      agent.set('Origin', baseUrl);
      const res = await agent.post('/api/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
      if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
      return agent;
    },
    close: () => app.close(),
  };
}
