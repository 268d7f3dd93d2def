import { Logger } from '@nestjs/common';
import type { Logger as OrmLogger } from 'typeorm';

/**
 * Sends TypeORM's messages to the portal's structured log. Query parameters are never logged: they
 * can hold password hashes and token hashes.
 */
export class TypeOrmLogger implements OrmLogger {
  private readonly logger = new Logger('Database');

  logQuery(): void {
    // Every query would flood the log; failures and slow queries are logged below.
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger.error(
      `Query failed: ${error instanceof Error ? error.message : error} — ${query.slice(0, 500)}`,
    );
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`Slow query (${time} ms): ${query.slice(0, 500)}`);
  }

  logSchemaBuild(message: string): void {
    this.logger.log(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.log(String(message));
  }
}
