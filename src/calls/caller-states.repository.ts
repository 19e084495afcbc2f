import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DeclaredState, PauseReason } from './caller-state.entity';
import type { CallSpan, DeclaredStretch } from './caller-states';

/** A calls row as the states read it (dialed calls only). */
const CALL_COLUMNS = `k.id, k.dialed_at AS "dialedAt", k.answered_at AS "answeredAt",
                      k.ended_at AS "endedAt", k.outcome_at AS "outcomeAt"`;
const STRETCH_COLUMNS = `s.id, s.state, s.reason, s.started_at AS "startedAt", s.ended_at AS "endedAt",
                         s.last_seen_at AS "lastSeenAt"`;

/** No call stays on the line or in wrap-up this long (talk caps end at 10 minutes). */
const LONGEST_CALL = '12 hours';

export type StoredStretch = DeclaredStretch & { id: string };

/** Timestamps as json_build_object writes them (text). */
type Dates = Record<
  'startedAt' | 'endedAt' | 'lastSeenAt' | 'dialedAt' | 'answeredAt' | 'outcomeAt',
  string | null | undefined
>;

/** A caller of the floor with their latest declared stretch and latest dialed call. */
export interface FloorRow {
  callerId: string;
  name: string | null;
  email: string;
  stretch: StoredStretch | null;
  call: CallSpan | null;
}

/**
 * The SQL of callers' states in one place: their declared stretches (caller_state_intervals) and
 * the dialed calls their on-call and wrap-up time comes from (by calls_caller_dialed_idx).
 */
@Injectable()
export class CallerStatesRepository {
  constructor(private readonly db: DataSource) {}

  /** Makes a caller's state changes take turns (held until the transaction ends). */
  async lockCaller(m: EntityManager, userId: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('caller-state:' || $1, 0))`, [
      userId,
    ]);
  }

  async openStretch(m: EntityManager, userId: string): Promise<StoredStretch | null> {
    const [row]: StoredStretch[] = await m.query(
      `SELECT ${STRETCH_COLUMNS} FROM caller_state_intervals s WHERE s.user_id = $1 AND s.ended_at IS NULL`,
      [userId],
    );
    return row ?? null;
  }

  async closeStretch(m: EntityManager, id: string, at: Date): Promise<void> {
    await m.query(
      `UPDATE caller_state_intervals SET ended_at = GREATEST($2::timestamptz, started_at) WHERE id = $1`,
      [id, at],
    );
  }

  async heardFrom(m: EntityManager, id: string, at: Date): Promise<void> {
    await m.query(
      `UPDATE caller_state_intervals SET last_seen_at = GREATEST(last_seen_at, $2::timestamptz) WHERE id = $1`,
      [id, at],
    );
  }

  async openNew(
    m: EntityManager,
    userId: string,
    state: DeclaredState,
    reason: PauseReason | null,
    at: Date,
  ): Promise<void> {
    await m.query(
      `INSERT INTO caller_state_intervals (user_id, state, reason, started_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $4)`,
      [userId, state, reason, at],
    );
  }

  /** The caller's latest dialed call (a caller has one on the line at a time), or null. */
  async latestCall(m: EntityManager | DataSource, userId: string): Promise<CallSpan | null> {
    const [row]: CallSpan[] = await m.query(
      `SELECT ${CALL_COLUMNS} FROM calls k
        WHERE k.caller_id = $1 AND k.dialed_at IS NOT NULL
        ORDER BY k.dialed_at DESC LIMIT 1`,
      [userId],
    );
    return row ?? null;
  }

  /**
   * Callers with their latest stretch and latest dialed call: every active caller, or those
   * assigned to a campaign of one of `clientIds`; one caller when `callerId` is given.
   */
  async floor(clientIds: string[] | null, callerId: string | null = null): Promise<FloorRow[]> {
    const rows: {
      callerId: string;
      name: string | null;
      email: string;
      stretch: (Omit<StoredStretch, 'startedAt' | 'endedAt' | 'lastSeenAt'> & Dates) | null;
      call: (Omit<CallSpan, 'dialedAt' | 'answeredAt' | 'endedAt' | 'outcomeAt'> & Dates) | null;
    }[] = await this.db.query(
      `SELECT u.id AS "callerId", u.name, u.email,
                CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object(
                  'id', s.id::text, 'state', s.state, 'reason', s.reason, 'startedAt', s.started_at,
                  'endedAt', s.ended_at, 'lastSeenAt', s.last_seen_at) END AS stretch,
                CASE WHEN k.id IS NULL THEN NULL ELSE json_build_object(
                  'id', k.id, 'dialedAt', k.dialed_at, 'answeredAt', k.answered_at,
                  'endedAt', k.ended_at, 'outcomeAt', k.outcome_at) END AS call
           FROM users u
           LEFT JOIN LATERAL (SELECT * FROM caller_state_intervals i WHERE i.user_id = u.id
                               ORDER BY i.started_at DESC, i.id DESC LIMIT 1) s ON true
           LEFT JOIN LATERAL (SELECT * FROM calls c WHERE c.caller_id = u.id AND c.dialed_at IS NOT NULL
                               ORDER BY c.dialed_at DESC LIMIT 1) k ON true
          WHERE u.role = 'caller' AND u.active
            AND ($2::uuid IS NULL OR u.id = $2::uuid)
            AND ($1::uuid[] IS NULL OR EXISTS (
                  SELECT 1 FROM campaign_callers cc JOIN campaigns g ON g.id = cc.campaign_id
                   WHERE cc.user_id = u.id AND g.client_id = ANY($1::uuid[])))
          ORDER BY u.name NULLS LAST, u.email, u.id`,
      [clientIds, callerId],
    );
    // json_build_object gives timestamps as text.
    const date = (v: string | null | undefined) => (v ? new Date(v) : null);
    return rows.map((r) => ({
      callerId: r.callerId,
      name: r.name,
      email: r.email,
      stretch: r.stretch && {
        id: r.stretch.id,
        state: r.stretch.state,
        reason: r.stretch.reason,
        startedAt: new Date(r.stretch.startedAt!),
        endedAt: date(r.stretch.endedAt),
        lastSeenAt: new Date(r.stretch.lastSeenAt!),
      },
      call: r.call && {
        id: r.call.id,
        dialedAt: new Date(r.call.dialedAt!),
        answeredAt: date(r.call.answeredAt),
        endedAt: date(r.call.endedAt),
        outcomeAt: date(r.call.outcomeAt),
      },
    }));
  }

  /** The caller's stretches that overlap [from, to). */
  async stretchesBetween(userId: string, from: Date, to: Date): Promise<StoredStretch[]> {
    return this.db.query(
      `SELECT ${STRETCH_COLUMNS} FROM caller_state_intervals s
        WHERE s.user_id = $1 AND s.started_at < $3 AND (s.ended_at IS NULL OR s.ended_at > $2)
        ORDER BY s.started_at, s.id`,
      [userId, from, to],
    );
  }

  /** The caller's dialed calls whose time (dial to the end of wrap-up) may overlap [from, to). */
  async callsBetween(userId: string, from: Date, to: Date): Promise<CallSpan[]> {
    return this.db.query(
      `SELECT ${CALL_COLUMNS} FROM calls k
        WHERE k.caller_id = $1 AND k.dialed_at IS NOT NULL
          AND k.dialed_at < $3 AND k.dialed_at > $2::timestamptz - interval '${LONGEST_CALL}'
        ORDER BY k.dialed_at`,
      [userId, from, to],
    );
  }

  /** Whether the caller works a campaign of one of these clients. */
  async worksFor(userId: string, clientIds: string[]): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `SELECT 1 FROM campaign_callers cc JOIN campaigns g ON g.id = cc.campaign_id
        WHERE cc.user_id = $1 AND g.client_id = ANY($2::uuid[]) LIMIT 1`,
      [userId, clientIds],
    );
    return rows.length > 0;
  }
}
