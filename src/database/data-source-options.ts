import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { TypeOrmLogger } from './typeorm-logger';

/** Options shared by the running portal, the migration command and the test harness. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    migrations: MIGRATIONS,
    extra: { max: 10, connectionTimeoutMillis: 10_000 },
    logging: ['error', 'warn', 'migration'],
    logger: new TypeOrmLogger(),
    maxQueryExecutionTime: 2000,
  };
}
