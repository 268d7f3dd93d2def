import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { createTestDatabase } from './test-db';

/**
 * A fresh database and a DataSource that knows the migrations up to and including `last` (none after
 * it), for a migration's up / down / up spec: `undoLastMigration()` then undoes `last`, whatever is
 * appended to MIGRATIONS later. Nothing is run yet; the database is dropped afterwards.
 */
export async function withMigrationsUpTo(
  last: (typeof MIGRATIONS)[number],
  body: (ds: DataSource) => Promise<void>,
): Promise<void> {
  const index = MIGRATIONS.indexOf(last);
  if (index < 0) throw new Error(`${last.name} is not in MIGRATIONS`);
  const db = await createTestDatabase();
  const ds = new DataSource({
    type: 'postgres',
    url: db.url,
    synchronize: false,
    migrations: MIGRATIONS.slice(0, index + 1),
    migrationsTransactionMode: 'each',
    logging: false,
  });
  await ds.initialize();
  try {
    await body(ds);
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await db.drop();
  }
}
