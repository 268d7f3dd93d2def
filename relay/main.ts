import { loadRelayConfig } from './config';
import { ConfigError } from '../contracts/node/env-reader';
import { exitWithFatal } from '../contracts/node/log-format';
import { insecureTransportWarning } from '../contracts/transport-policy';
import { createRelayLogger } from './logger';
import { startRelay } from './relay-server';

/** Hard stop if a graceful shutdown hangs (the grace period is 3 s). */
const FORCED_EXIT_MS = 6000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadRelayConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      exitWithFatal('relay', `Invalid relay configuration: ${err.problems.join('; ')}.`, {
        problems: err.problems,
      });
    }
    throw err;
  }
  const logger = createRelayLogger(config.logLevel);
  if (config.insecureTransport.length > 0) logger.warn(insecureTransportWarning(config.insecureTransport));
  if (config.generatedDevSecret)
    logger.warn('generated a development relay secret in DATA_DIR (shared with the portal)');
  const relay = await startRelay(config, { logger });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const exit = (code: number): void => logger.flush(() => process.exit(code));
    setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      exit(1);
    }, FORCED_EXIT_MS).unref();
    relay.close().then(
      () => exit(0),
      (err: unknown) => {
        logger.error({ err: (err as Error).message }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  exitWithFatal('relay', `The relay could not start: ${(err as Error).message}`, {}, 1);
});
