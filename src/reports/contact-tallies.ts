import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/** A campaign's tally rows are folded into one per status and attempts past this many. */
export const TALLY_ROWS_BEFORE_COMPACTION = 64;
/** Campaigns folded per compaction (the next one takes the rest). */
const COMPACT_BATCH = 50;

/** A campaign's list, from its tallies: what the projection needs of it. */
export interface ListTally {
  /** Open contacts. */
  open: number;
  /** Calls the open contacts may still get: each one's max attempts less its attempts, at least 0. */
  remainingDials: number;
  /** Contacts done (never called again). */
  closed: number;
  /** Attempts the closed contacts took, all told. */
  closedAttempts: number;
  /** Contacts dialed and closed before their last attempt allowed (by an outcome, not by running out). */
  closedEarly: number;
  /** Dials made while the contact had another attempt left: the sum of min(attempts, max − 1). */
  earlyDials: number;
  /** Open contacts by attempts left (max attempts less attempts made): [attempts left, contacts]. */
  openByAttemptsLeft: [number, number][];
}

/**
 * How many contacts each campaign has per status and attempts made (`contact_tallies`, kept by
 * statement-level triggers on contacts: see the ContactTallies migration), so a campaign's
 * projection reads a handful of rows instead of scanning a list of a million contacts.
 */
@Injectable()
export class ContactTallies {
  constructor(private readonly db: DataSource) {}

  /** A campaign's list figures, remaining dials counted against its max attempts as they are now. */
  async of(campaignId: string): Promise<ListTally> {
    const [row]: (Omit<ListTally, 'openByAttemptsLeft'> & {
      openByAttemptsLeft: [number, number][] | null;
    })[] = await this.db.query(
      `WITH t AS (SELECT t.status, t.attempts, sum(t.contacts)::float8 AS contacts, g.max_attempts AS max
                    FROM campaigns g JOIN contact_tallies t ON t.campaign_id = g.id WHERE g.id = $1
                   GROUP BY t.status, t.attempts, g.max_attempts HAVING sum(t.contacts) <> 0)
       SELECT COALESCE(sum(contacts) FILTER (WHERE status = 'open'), 0)::float8 AS open,
              COALESCE(sum(GREATEST(max - attempts, 0) * contacts) FILTER (WHERE status = 'open'), 0)::float8 AS "remainingDials",
              COALESCE(sum(contacts) FILTER (WHERE status = 'closed'), 0)::float8 AS closed,
              COALESCE(sum(attempts * contacts) FILTER (WHERE status = 'closed'), 0)::float8 AS "closedAttempts",
              COALESCE(sum(contacts) FILTER (WHERE status = 'closed' AND attempts > 0 AND attempts < max), 0)::float8 AS "closedEarly",
              COALESCE(sum(LEAST(attempts, max - 1) * contacts), 0)::float8 AS "earlyDials",
              json_agg(json_build_array(GREATEST(max - attempts, 0), contacts) ORDER BY attempts)
                FILTER (WHERE status = 'open') AS "openByAttemptsLeft"
         FROM t`,
      [campaignId],
    );
    return { ...row, openByAttemptsLeft: row.openByAttemptsLeft ?? [] };
  }

  /**
   * Folds the rows of campaigns with more than TALLY_ROWS_BEFORE_COMPACTION into one per status
   * and attempts (dropping the ones that add up to nothing); answers how many campaigns it
   * folded. One statement: the rows it deletes are the rows it adds up, so tallies written
   * meanwhile are kept as they are. Instances take turns (a transaction-scoped advisory lock).
   */
  async compact(): Promise<number> {
    const [row]: { campaigns: number }[] = await this.db.query(
      `WITH many AS (
         SELECT campaign_id FROM contact_tallies
          WHERE pg_try_advisory_xact_lock(hashtext('contact_tallies_compact'))
          GROUP BY campaign_id HAVING count(*) > $1 LIMIT ${COMPACT_BATCH}
       ), gone AS (
         DELETE FROM contact_tallies t USING many WHERE t.campaign_id = many.campaign_id
         RETURNING t.campaign_id, t.status, t.attempts, t.contacts
       ), kept AS (
         INSERT INTO contact_tallies (campaign_id, status, attempts, contacts)
         SELECT campaign_id, status, attempts, sum(contacts) FROM gone
          GROUP BY 1, 2, 3 HAVING sum(contacts) <> 0
       )
       SELECT count(*)::int AS campaigns FROM many`,
      [TALLY_ROWS_BEFORE_COMPACTION],
    );
    return row.campaigns;
  }

  /** The tallies from the contacts themselves (the rebuild, and the test that compares). */
  rawSql(): string {
    return `SELECT campaign_id, status, attempts, count(*)::bigint AS contacts
              FROM contacts GROUP BY 1, 2, 3`;
  }

  /** Sets every tally from the contacts (inside the caller's transaction). */
  async rebuild(m: EntityManager): Promise<void> {
    await m.query('DELETE FROM contact_tallies');
    await m.query(
      `INSERT INTO contact_tallies (campaign_id, status, attempts, contacts) ${this.rawSql()}`,
    );
  }
}
