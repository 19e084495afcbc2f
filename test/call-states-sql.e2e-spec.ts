import { CALL_STATES } from '../src/calls/call.entity';
import {
  CALL_EVENTS,
  nextCallState,
  nextCallStateSql,
  stateOfEvent,
} from '../src/calls/call-states';
import { createMigratedDatabase, sql } from './pg-server';

/** The status callback applies the transition rule in SQL: it must agree with the TS rule everywhere. */
describe('nextCallStateSql', () => {
  it('agrees with nextCallState on every state and event (and on events that move nothing)', async () => {
    const db = await createMigratedDatabase();
    try {
      const pairs = CALL_STATES.flatMap((s) => [...CALL_EVENTS, null].map((e) => [s, e] as const));
      const rows = await sql<{ i: number; next: string }>(
        db.url,
        `SELECT p.i, ${nextCallStateSql('p.s::call_state', 'p.t::call_state')}::text AS next
           FROM unnest($1::int[], $2::text[], $3::text[]) AS p(i, s, t) ORDER BY p.i`,
        [
          pairs.map((_, i) => i),
          pairs.map(([s]) => s),
          pairs.map(([, e]) => (e ? stateOfEvent(e) : null)),
        ],
      );
      expect(rows).toHaveLength(pairs.length);
      const mismatches = rows.filter((r) => r.next !== nextCallState(pairs[r.i][0], pairs[r.i][1]));
      expect(mismatches).toEqual([]);
      // And the rule is not trivial: some pairs move, some do not.
      expect(rows.filter((r) => r.next !== pairs[r.i][0]).length).toBeGreaterThan(10);
    } finally {
      await db.drop();
    }
  });
});
