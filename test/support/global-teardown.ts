import { rmSync } from 'node:fs';
import type { EmbeddedPostgresServer } from '../../src/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __QS_EMBEDDED_PG__?: EmbeddedPostgresServer }).__QS_EMBEDDED_PG__;
  if (!server) return;
  await server.stop();
  const dir = process.env.TEST_EMBEDDED_PG_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
