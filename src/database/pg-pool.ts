import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/** TypeORM's own pg pool: the same connections, without its per-query wrapping. */
export function pgPool(db: DataSource): Pool {
  return (db.driver as PostgresDriver).master as Pool;
}

/**
 * A named (prepared) statement on TypeORM's pool, for the hot paths: each pooled connection
 * parses and plans it once (planning the claim or a status callback costs more than running it).
 * Its result must keep its shape across migrations: name the columns, never `t.*` (PostgreSQL
 * refuses a prepared statement whose result type changed).
 */
export async function namedQuery<T>(
  db: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  return (await pgPool(db).query({ name, text, values })).rows as T[];
}
