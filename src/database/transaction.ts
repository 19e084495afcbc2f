import type { DataSource, EntityManager } from 'typeorm';

/** PostgreSQL's code for a transaction it aborted to break a deadlock. */
const DEADLOCK = '40P01';

/**
 * Runs `work` in a transaction, and again (up to `attempts` tries in all) when PostgreSQL aborts
 * it to break a deadlock: nothing of the aborted try is left, and the next one reads afresh.
 * For requests whose writes cross others' in an order no single lock can fix (an outcome and a
 * referral's feedback both add to the same roll-up rows).
 */
export async function transactionRetryingDeadlocks<T>(
  db: DataSource,
  work: (m: EntityManager) => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await db.transaction(work);
    } catch (e) {
      if (tried >= attempts || codeOf(e) !== DEADLOCK) throw e;
    }
  }
}

function codeOf(e: unknown): string | undefined {
  const err = e as { code?: unknown; driverError?: { code?: unknown } };
  const code = err?.driverError?.code ?? err?.code;
  return typeof code === 'string' ? code : undefined;
}
