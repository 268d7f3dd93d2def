import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres';

/**
 * One PostgreSQL server for the whole run: the one named by DATABASE_URL, or else an embedded server
 * in a temporary folder (the same code the portal uses at `npm start`). Each test file then makes a
 * database of its own on it (see test-app.ts). The URL reaches the workers as TEST_ADMIN_DATABASE_URL.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_ADMIN_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'qs-test-pg-'));
  const server = new EmbeddedPostgresServer(dir, {
    info: () => undefined,
    warn: (m) => console.warn(m),
    debug: () => undefined,
  });
  process.env.TEST_ADMIN_DATABASE_URL = await server.start();
  process.env.TEST_EMBEDDED_PG_DIR = dir;
  (globalThis as { __QS_EMBEDDED_PG__?: EmbeddedPostgresServer }).__QS_EMBEDDED_PG__ = server;
}
