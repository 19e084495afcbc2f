import { DataSource } from 'typeorm';
import { transactionRetryingDeadlocks } from '../src/database/transaction';
import { TestContext } from './harness';

/** A deadlock's victim tries again, on the real database. */
describe('transactionRetryingDeadlocks', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Two transactions taking two locks in opposite orders: PostgreSQL aborts one of them. */
  function crossed(run: typeof transactionRetryingDeadlocks, keys: [number, number]) {
    const db = ctx.app.get(DataSource);
    let tries = 0;
    const take = (first: number, second: number, answer: string) =>
      run(db, async (m) => {
        tries++;
        await m.query('SELECT pg_advisory_xact_lock($1)', [first]);
        await pause(300);
        await m.query('SELECT pg_advisory_xact_lock($1)', [second]);
        return answer;
      });
    const [a, b] = keys;
    return {
      done: Promise.allSettled([take(a, b, 'first'), take(b, a, 'second')]),
      tries: () => tries,
    };
  }

  it('commits both sides of a deadlock, the victim on its second try', async () => {
    const run = crossed(transactionRetryingDeadlocks, [7_001, 7_002]);
    const results = await run.done;
    expect(results).toEqual([
      { status: 'fulfilled', value: 'first' },
      { status: 'fulfilled', value: 'second' },
    ]);
    expect(run.tries()).toBe(3);
  });

  it('gives up after its tries, and never retries other errors', async () => {
    const once: typeof transactionRetryingDeadlocks = (db, work) =>
      transactionRetryingDeadlocks(db, work, 1);
    const run = crossed(once, [7_003, 7_004]);
    const results = await run.done;
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    let tries = 0;
    await expect(
      transactionRetryingDeadlocks(ctx.app.get(DataSource), async (m) => {
        tries++;
        await m.query('SELECT 1 / 0');
      }),
    ).rejects.toThrow(/division by zero/);
    expect(tries).toBe(1);
  });
});
