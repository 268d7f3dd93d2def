import type { DataSource, EntityManager } from 'typeorm';

/**
 * Runs `UPDATE … RETURNING` / `DELETE … RETURNING` and gives back the returned rows. (TypeORM's
 * PostgreSQL driver answers those two commands with `[rows, rowCount]`, other commands with `rows`.)
 */
export async function returningRows<T>(
  db: EntityManager | DataSource,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const result: unknown = await db.query(sql, params);
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}
