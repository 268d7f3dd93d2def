import 'reflect-metadata';
import { type DynamicModule, type INestApplication, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../../src/common/auth-user';
import { AppConfig, loadAppConfig } from '../../src/config/app-config';
import { AppConfigModule } from '../../src/config/app-config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { DevicesService } from '../../src/devices/devices.service';
import { MetricsModule } from '../../src/metrics/metrics.module';
import { UsersService } from '../../src/users/users.service';
import { createTestDatabase } from './test-db';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TEST_RELAY_SECRET } from './test-app';

export interface ServiceModule {
  /** The Nest container: `get(QuickSupportService)` and the like. */
  app: INestApplication;
  config: AppConfig;
  db: DataSource;
  /** The first admin, as a caller of the services (`AuthUser`). */
  admin: AuthUser;
  /** The audit rows of one target in the order they were written (`at` is when their transaction began). */
  auditOf(targetId: string): Promise<{ action: string; actorType: string; details: unknown }[]>;
  close(): Promise<void>;
}

/**
 * The service tier: the modules under test with the validated config, the (global) metrics and
 * TypeORM on a fresh PostgreSQL database with the real migrations (test-db.ts, as for the API tier),
 * and nothing else —
 * no scheduler (jobs run only when a spec calls them), no guards, no port. Nest still builds its
 * HTTP adapter, because the agent control gateway hooks its `upgrade` event at bootstrap, but the
 * application never listens: specs call services directly and read the rows they leave.
 *
 * The relay's control URL points at a closed loopback port, so "tell the relay" fails at once (every
 * caller treats that as best effort).
 */
export async function createServiceModule(
  modules: (Type | DynamicModule)[],
  env: Record<string, string> = {},
): Promise<ServiceModule> {
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'qs-service-data-'));
  const config = loadAppConfig({
    PORTAL_ORIGIN: 'http://127.0.0.1:9',
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    RELAY_SECRET: TEST_RELAY_SECRET,
    RELAY_INTERNAL_URL: 'http://127.0.0.1:9',
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LOG_LEVEL: 'silent',
    ...env,
    DATABASE_URL: database.url,
  });

  @Module({
    imports: [AppConfigModule.forRoot(config), DatabaseModule, MetricsModule.forRoot(config), ...modules],
  })
  class ServiceTestModule {}

  let app: INestApplication | undefined;
  try {
    app = await NestFactory.create(ServiceTestModule, {
      logger: false,
      bodyParser: false,
      abortOnError: false,
    });
    await app.init();
  } catch (err) {
    await app?.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const users = app.get(UsersService);
  await users.ensureFirstAdmin(ADMIN_EMAIL, ADMIN_PASSWORD);
  const adminUser = await users.findByEmail(ADMIN_EMAIL);
  if (!adminUser) throw new Error('the first admin was not created');
  const db = app.get(DataSource);
  const started = app;
  return {
    app: started,
    config,
    db,
    admin: {
      id: adminUser.id,
      email: adminUser.email,
      displayName: adminUser.displayName,
      role: adminUser.role,
    },
    auditOf: (targetId) =>
      db.query(
        `SELECT action, actor_type AS "actorType", details FROM audit_events
          WHERE target_id = $1 ORDER BY id`,
        [targetId],
      ),
    async close() {
      await started.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A persistent Linux device as an installed agent registers it (the module must include devices); its id. */
export function createPersistentDevice(t: ServiceModule, hostname = 'server-1'): Promise<string> {
  const devices = t.app.get(DevicesService);
  return t.db.transaction(
    async (m) =>
      (
        await devices.createInTransaction(
          m,
          'persistent',
          {
            hostname,
            os: 'linux',
            osVersion: '6.8',
            arch: 'x64',
            agentVersion: '0.1.0',
            protocolVersion: '1',
          },
          null,
        )
      ).device.id,
  );
}
