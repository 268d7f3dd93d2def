import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureApp } from './app-setup';
import { exitWithFatal } from '../contracts/node/log-format';
import { insecureTransportWarning } from '../contracts/transport-policy';
import { AppConfig, ConfigError, loadAppConfig } from './config/app-config';
import { probeDatabase } from './database/database-probe';
import { EmbeddedPostgresServer } from './database/embedded-postgres';
import { portalLogger } from './logging/logger-options';
import { UsersService } from './users/users.service';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadAppConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      exitWithFatal(
        'portal',
        `Invalid configuration: ${err.problems.join('; ')}. See .env.example and the README's configuration table.`,
        { problems: err.problems },
      );
    }
    throw err;
  }
  const bootLog = portalLogger(config);
  if (config.insecureTransport.length > 0) {
    bootLog.warn(insecureTransportWarning(config.insecureTransport));
  }
  if (config.generatedDevSecret) {
    bootLog.warn(
      `No RELAY_SECRET set: generated a development secret in ${config.dataDir}. Set RELAY_SECRET in production.`,
    );
  }

  let embedded: EmbeddedPostgresServer | undefined;
  if (config.databaseUrl) {
    const problem = await probeDatabase(config.databaseUrl);
    if (problem)
      exitWithFatal('portal', problem.sentence, { variable: 'DATABASE_URL', reason: problem.reason });
  } else {
    embedded = new EmbeddedPostgresServer(config.dataDir, {
      info: (m) => bootLog.info(m),
      warn: (m) => bootLog.warn(m),
      debug: (m) => bootLog.debug(m),
    });
    const url = await embedded.start();
    config = Object.freeze({ ...config, databaseUrl: url });
  }

  const app = await NestFactory.create(AppModule.forRoot(config), { bodyParser: false, bufferLogs: true });
  app.useLogger(app.get(Logger));
  configureApp(app, config);
  await app.init();

  const firstAdmin = await app.get(UsersService).ensureFirstAdmin(config.admin.email, config.admin.password);
  await app.listen(config.port, config.host);
  printBanner(config, firstAdmin);

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    const log = new NestLogger('Shutdown');
    log.log(`${signal} received: stopping`);
    const force = setTimeout(() => {
      log.error('Shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    app
      .close()
      .then(() => embedded?.stop())
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        log.error(`Shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      });
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, () => shutdown(s));
}

/**
 * The one place the first admin's generated password is shown: plain stdout, once, never the logs.
 */
function printBanner(
  config: AppConfig,
  admin: { created: boolean; email: string; generatedPassword?: string },
): void {
  const lines = [`Portal ready at ${config.portalOrigin}`];
  if (admin.created && admin.generatedPassword) {
    lines.push(
      `First administrator: ${admin.email}`,
      `Password (shown only this once): ${admin.generatedPassword}`,
    );
  } else if (admin.created) {
    lines.push(`First administrator: ${admin.email} (password from ADMIN_PASSWORD)`);
  } else {
    lines.push(`Log in with your account (the first administrator is ${admin.email}).`);
  }
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const bar = '='.repeat(width);
  process.stdout.write(`\n${bar}\n${lines.map((l) => `  ${l}`).join('\n')}\n${bar}\n\n`);
}

main().catch((err: unknown) => {
  exitWithFatal(
    'portal',
    `The portal could not start: ${err instanceof Error ? err.message : String(err)}`,
    {},
    1,
  );
});
