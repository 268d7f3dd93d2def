/**
 * The portal as it runs for people (real modules, guards, validation, logging), on the benchmark's
 * scratch database, on a loopback port. Reports its port to the parent over IPC.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app-setup';
import { loadAppConfig } from '../../src/config/app-config';
import { UsersService } from '../../src/users/users.service';

async function main(): Promise<void> {
  const port = Number(process.env.PORT);
  const config = loadAppConfig(process.env);
  const app = await NestFactory.create(AppModule.forRoot(config), { bodyParser: false, bufferLogs: true });
  app.useLogger(app.get(Logger));
  configureApp(app, config);
  await app.init();
  await app.get(UsersService).ensureFirstAdmin(config.admin.email, config.admin.password);
  await app.listen(port, '127.0.0.1');
  process.send?.({ type: 'ready', port });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stop') void app.close().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`portal child failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
