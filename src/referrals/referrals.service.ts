import { Injectable } from '@nestjs/common';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../auth/roles';
import type { ReferralDto } from '../calls/dto/outcome.dto';
import { TenantAccess } from '../clients/tenant-access';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { RollupsService } from '../reports/rollups.service';
import { WebhookOutbox } from '../webhooks/outbox';
import { type Actor, actorOf, SYSTEM } from './actor';
import { completenessProblems } from './completeness';
import type { EditReferralDto, FeedbackDto, ListReferralsQuery } from './dto';
import type { FeedbackStatus, ReferralContactDetails, ReferralStatus } from './referral.entity';
import { routeReferral, type RoutableRep } from './routing';
import { DEFAULT_SCORE_WEIGHTS, isSuspiciousHot, scoreReferral, type ScoreWeights } from './score';
import { transactionRetryingDeadlocks } from '../database/transaction';

/** A referral as staff see it (the review queue, the detail page). */
export interface ReferralView {
  id: string;
  clientId: string;
  campaignId: string;
  callId: string;
  callerId: string;
  status: ReferralStatus;
  reviewReason: string | null;
  problems: { field: string; message: string }[];
  rating: 'very_interested' | 'needs_work';
  score: number;
  flagged: boolean;
  need: string;
  timeframe: string | null;
  budget: string | null;
  decisionMaker: string | null;
  employees: number | null;
  expectingCall: boolean | null;
  nextStep: string | null;
  contact: ReferralContactDetails;
  repId: string | null;
  repName: string | null;
  routingReason: string | null;
  publishedAt: Date | null;
  feedDay: string | null;
  feedbackStatus: FeedbackStatus | null;
  followUpSeconds: number | null;
  saleValue: number | null;
  createdAt: Date;
}

interface Row {
  id: string;
  client_id: string;
  campaign_id: string;
  call_id: string;
  caller_id: string;
  status: ReferralStatus;
  review_reason: string | null;
  problems: { field: string; message: string }[];
  rating: 'very_interested' | 'needs_work';
  score: number;
  flagged: boolean;
  need: string;
  timeframe: string | null;
  budget: string | null;
  decision_maker: string | null;
  employees: number | null;
  expecting_call: boolean | null;
  next_step: string | null;
  contact: ReferralContactDetails;
  rep_id: string | null;
  rep_name?: string | null;
  routing_reason: string | null;
  published_at: Date | null;
  feed_day: string | Date | null;
  feedback_status: FeedbackStatus | null;
  follow_up_seconds: number | null;
  first_contacted_at: Date | null;
  sale_value: string | null;
  created_at: Date;
  state: string | null;
  zip: string | null;
}

/** A referral returned to its caller, as their inbox shows it (`GET /callers/me/returned`). */
export interface ReturnedReferral extends Pick<
  ReferralView,
  | 'id'
  | 'callId'
  | 'rating'
  | 'need'
  | 'timeframe'
  | 'budget'
  | 'decisionMaker'
  | 'employees'
  | 'expectingCall'
  | 'nextStep'
  | 'contact'
  | 'score'
  | 'problems'
> {
  contactId: string;
  /** What the reviewer asked the caller to fix or find out, who, and when. */
  reason: string | null;
  returnedAt: Date | null;
  returnedBy: string | null;
  campaign: { id: string; name: string };
  /** The company of the contact called (as the list gave it). */
  company: string | null;
  createdAt: Date;
}

const FINAL_FEEDBACK: FeedbackStatus[] = ['won', 'lost'];
/** Feedback that means the client's rep reached the prospect. */
const REACHED: FeedbackStatus[] = ['contacted', 'meeting', 'won', 'lost'];

/**
 * Referrals from outcome to feedback. A `referral` outcome creates one (same transaction as the
 * call's outcome); it is published at once when complete, or waits for an account manager when
 * incomplete, flagged or sampled. Publication routes it to the best-matched rep, gives it its
 * place in the client's feed, and writes the webhook deliveries in the same transaction.
 */
@Injectable()
export class ReferralsService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly tenants: TenantAccess,
    private readonly outbox: WebhookOutbox,
    private readonly rollups: RollupsService,
  ) {}

  /** Called by the outcome, inside its transaction. */
  async createFromOutcome(
    m: EntityManager,
    call: { id: string; client_id: string; campaign_id: string; contact_id: string },
    callerId: string,
    dto: ReferralDto,
  ): Promise<{ id: string; status: ReferralStatus }> {
    const now = this.clock.now();
    const [campaign]: {
      score_weights: ScoreWeights | null;
      review_sample_pct: number;
      state: string | null;
      zip: string | null;
    }[] = await m.query(
      `SELECT g.score_weights, g.review_sample_pct, c.state, c.zip
         FROM campaigns g JOIN contacts c ON c.id = $2 WHERE g.id = $1`,
      [call.campaign_id, call.contact_id],
    );
    const contact = normaliseContact(dto.contact);
    const score = scoreReferral(
      { ...dto, timeframe: dto.timeframe, budget: dto.budget } as Parameters<
        typeof scoreReferral
      >[0],
      campaign.score_weights ?? DEFAULT_SCORE_WEIGHTS,
    );
    const problems = completenessProblems({ need: dto.need, contact });
    const [usual]: { median: number | null; n: number }[] = await m.query(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY score) AS median, count(*)::int AS n
         FROM referrals WHERE campaign_id = $1`,
      [call.campaign_id],
    );
    const flagged = isSuspiciousHot(dto.rating, score, usual.median, usual.n);
    const sampled =
      problems.length === 0 && !flagged && Math.random() * 100 < campaign.review_sample_pct;
    const reviewReason = problems.length
      ? 'incomplete'
      : flagged
        ? 'flagged: rated very interested with a score far below the campaign usual'
        : sampled
          ? 'sampled'
          : null;
    const [row]: { id: string }[] = await m.query(
      `INSERT INTO referrals (client_id, campaign_id, call_id, contact_id, caller_id, rating, score, flagged,
                              need, timeframe, budget, decision_maker, employees, expecting_call, next_step,
                              contact, state, zip, status, review_reason, problems, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
               'needs_review', $19, $20, $21, $21)
       RETURNING id`,
      [
        call.client_id,
        call.campaign_id,
        call.id,
        call.contact_id,
        callerId,
        dto.rating,
        score,
        flagged,
        dto.need.trim(),
        dto.timeframe ?? null,
        dto.budget ?? null,
        dto.decisionMaker ?? null,
        dto.employees ?? null,
        dto.expectingCall ?? null,
        dto.nextStep ?? null,
        JSON.stringify(contact),
        campaign.state,
        campaign.zip,
        reviewReason,
        JSON.stringify(problems),
        now,
      ],
    );
    await this.history(
      m,
      row.id,
      { kind: 'user', id: callerId },
      'created',
      null,
      'needs_review',
      reviewReason,
    );
    if (reviewReason) return { id: row.id, status: 'needs_review' };
    await this.publish(m, row.id, SYSTEM);
    return { id: row.id, status: 'published' };
  }

  async list(p: Principal, q: ListReferralsQuery): Promise<ReferralView[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (p.kind === 'user' && p.role === 'caller') add('r.caller_id = ?', p.userId);
    else {
      const scope = await this.tenants.scopeOf(p);
      if (!scope.all) add('r.client_id = ANY(?::uuid[])', scope.ids);
      if (p.kind === 'api_key' || p.role === 'client') where.push(`r.status = 'published'`);
    }
    if (q.status) add('r.status = ?', q.status);
    if (q.clientId) add('r.client_id = ?', q.clientId);
    if (q.campaignId) add('r.campaign_id = ?', q.campaignId);
    if (q.day) add('r.feed_day = ?::date', q.day);
    params.push(q.limit ?? 100, q.offset ?? 0);
    const order = q.day
      ? `(r.rating = 'very_interested') DESC, r.score DESC, r.feed_seq`
      : 'r.created_at, r.id';
    const rows: Row[] = await this.db.query(
      `SELECT r.*, s.name AS rep_name FROM referrals r LEFT JOIN sales_reps s ON s.id = r.rep_id
        ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
        ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows.map((r) => forAudience(p, view(r)));
  }

  async get(p: Principal, id: string): Promise<ReferralView & { history: unknown[] }> {
    const row = await this.visible(this.db.manager, p, id);
    const history: unknown[] = await this.db.query(
      `SELECT at, actor_kind AS "actorKind", actor_id AS "actorId", action, from_status AS "fromStatus",
              to_status AS "toStatus", reason, details
         FROM referral_events WHERE referral_id = $1 ORDER BY id`,
      [id],
    );
    if (isClientSide(p)) {
      // The client sees its referral's life from publication on (publication, feedback), not
      // the agency's review before it, nor which of the agency's staff did what.
      const shown = (
        history as { action: string; actorKind: string; actorId: string | null }[]
      ).filter((h) => CLIENT_EVENTS.has(h.action));
      for (const h of shown)
        if (h.actorKind === 'user' || h.actorKind === 'system') h.actorId = null;
      return { ...forAudience(p, view(row)), history: shown };
    }
    return { ...forAudience(p, view(row)), history };
  }

  /**
   * Corrections: an account manager's while it waits for review, or the caller's own on a
   * returned referral (which then goes back to the review queue). Score and completeness are
   * computed again.
   */
  async edit(p: Principal, id: string, dto: EditReferralDto): Promise<ReferralView> {
    return this.db.transaction(async (m) => {
      const row = await this.visible(m, p, id, true);
      const caller = p.kind === 'user' && p.role === 'caller';
      if (caller ? row.status !== 'returned' : row.status !== 'needs_review') {
        throw new AppError(
          'conflict',
          caller
            ? 'Only a referral returned to you can be corrected'
            : `A ${row.status.replace('_', ' ')} referral cannot be edited`,
        );
      }
      const updated = await this.applyEdits(m, row, dto, p);
      if (caller) {
        await m.query(
          `UPDATE referrals SET status = 'needs_review', review_reason = 'resubmitted', updated_at = $2 WHERE id = $1`,
          [id, this.clock.now()],
        );
        await this.history(m, id, actorOf(p), 'resubmitted', 'returned', 'needs_review', null);
      }
      return view({
        ...updated,
        ...(caller ? { status: 'needs_review' as const, review_reason: 'resubmitted' } : {}),
      });
    });
  }

  /**
   * The referrals returned to this caller, oldest return first, with the reviewer's reason and
   * every field the full form edits.
   */
  async returnedTo(p: Principal): Promise<ReturnedReferral[]> {
    if (p.kind !== 'user' || p.role !== 'caller') {
      throw new AppError('forbidden', 'Only callers have referrals returned to them');
    }
    const rows: (Row & {
      contact_id: string;
      campaign_name: string;
      contact_company: string | null;
      returned_at: Date | null;
      returned_by: string | null;
    })[] = await this.db.query(
      `SELECT r.*, g.name AS campaign_name, c.company AS contact_company, e.at AS returned_at,
              u.name AS returned_by
         FROM referrals r JOIN campaigns g ON g.id = r.campaign_id JOIN contacts c ON c.id = r.contact_id
         LEFT JOIN LATERAL (SELECT x.at, x.actor_kind, x.actor_id FROM referral_events x
                             WHERE x.referral_id = r.id AND x.action = 'returned'
                             ORDER BY x.id DESC LIMIT 1) e ON true
         LEFT JOIN users u ON e.actor_kind = 'user' AND u.id = e.actor_id
        WHERE r.caller_id = $1 AND r.status = 'returned'
        ORDER BY e.at, r.id`,
      [p.userId],
    );
    return rows.map((r) => ({
      id: r.id,
      callId: r.call_id,
      contactId: String(r.contact_id),
      reason: r.review_reason,
      returnedAt: r.returned_at,
      returnedBy: r.returned_by,
      campaign: { id: r.campaign_id, name: r.campaign_name },
      company: r.contact_company,
      rating: r.rating,
      need: r.need,
      timeframe: r.timeframe,
      budget: r.budget,
      decisionMaker: r.decision_maker,
      employees: r.employees,
      expectingCall: r.expecting_call,
      nextStep: r.next_step,
      contact: r.contact,
      score: r.score,
      problems: r.problems,
      createdAt: r.created_at,
    }));
  }

  /**
   * The caller sends a referral returned to them back, with their corrections: stored, scored
   * again, and back in the review queue (the reviewer who returned it sees the answer to what
   * they asked; approval then publishes it). 409 when it is not returned (any more).
   */
  async resubmit(p: Principal, id: string, dto: EditReferralDto): Promise<ReferralView> {
    if (p.kind !== 'user' || p.role !== 'caller') {
      throw new AppError('forbidden', 'Only the caller who made a referral resubmits it');
    }
    return this.edit(p, id, dto);
  }

  /** An account manager completes (optionally) and approves: published when complete, else 409 naming what is missing. */
  async approve(p: Principal, id: string, dto: EditReferralDto): Promise<ReferralView> {
    return transactionRetryingDeadlocks(this.db, async (m) => {
      const row = await this.visible(m, p, id, true);
      if (row.status !== 'needs_review') {
        throw new AppError(
          'conflict',
          `Only a referral waiting for review can be approved (this one is ${row.status})`,
        );
      }
      const updated = await this.applyEdits(m, row, dto, p);
      if (updated.problems.length) {
        throw new AppError('conflict', 'The referral is not complete yet', updated.problems);
      }
      await this.publish(m, id, actorOf(p));
      return view(await this.row(m, id));
    });
  }

  /** Back to the caller with what to fix or find out. */
  async returnToCaller(p: Principal, id: string, reason: string): Promise<ReferralView> {
    return this.db.transaction(async (m) => {
      const row = await this.visible(m, p, id, true);
      if (row.status !== 'needs_review') {
        throw new AppError(
          'conflict',
          `Only a referral waiting for review can be returned (this one is ${row.status})`,
        );
      }
      await m.query(
        `UPDATE referrals SET status = 'returned', review_reason = $2, updated_at = $3 WHERE id = $1`,
        [id, reason.trim(), this.clock.now()],
      );
      await this.history(m, id, actorOf(p), 'returned', 'needs_review', 'returned', reason.trim());
      return view(await this.row(m, id));
    });
  }

  /**
   * What became of a published referral, from the client (API key or client user). `won` and
   * `lost` are final; the first feedback that means the prospect was reached sets the follow-up
   * time. Another client's referral answers 404, an unpublished one too.
   */
  async feedback(p: Principal, id: string, dto: FeedbackDto): Promise<ReferralView> {
    if (dto.saleValue !== undefined && dto.status !== 'won') {
      throw new AppError('invalid', 'A sale value goes with won', [
        { field: 'saleValue', message: 'only with status won' },
      ]);
    }
    const now = this.clock.now();
    const at = dto.at ? new Date(dto.at) : now;
    if (at.getTime() > now.getTime() + 60_000) {
      throw new AppError('invalid', 'The feedback time is in the future', [
        { field: 'at', message: 'must not be in the future' },
      ]);
    }
    const updated = await transactionRetryingDeadlocks(this.db, async (m) => {
      const row = await this.visible(m, p, id, true);
      if (row.status !== 'published' || !row.published_at) throw AppError.notFound('Referral');
      if (at.getTime() < new Date(row.published_at).getTime()) {
        throw new AppError('invalid', 'The feedback time is before the referral was published', [
          { field: 'at', message: 'must not be before publishedAt' },
        ]);
      }
      if (row.feedback_status && FINAL_FEEDBACK.includes(row.feedback_status)) {
        if (row.feedback_status === dto.status) return view(row);
        throw new AppError(
          'conflict',
          `This referral is already ${row.feedback_status}; that is final`,
        );
      }
      const reached = REACHED.includes(dto.status);
      const before = await this.rollups.figuresOf(m, id);
      await m.query(
        `UPDATE referrals SET feedback_status = $2, feedback_at = $3,
                first_contacted_at = CASE WHEN $4 AND first_contacted_at IS NULL THEN $3 ELSE first_contacted_at END,
                follow_up_seconds = CASE WHEN $4 AND first_contacted_at IS NULL
                  THEN GREATEST(0, round(extract(epoch FROM $3::timestamptz - published_at)))::int ELSE follow_up_seconds END,
                sale_value = COALESCE($5, sale_value), lost_reason = COALESCE($6, lost_reason), updated_at = $7
          WHERE id = $1`,
        [
          id,
          dto.status,
          at,
          reached,
          dto.saleValue ?? null,
          dto.status === 'lost' ? (dto.reason ?? null) : null,
          now,
        ],
      );
      await this.rollups.referralChanged(m, id, before);
      if (reached && !row.first_contacted_at) await this.rollups.reached(m, id);
      if (FINAL_FEEDBACK.includes(dto.status)) await this.rollups.finalAnswer(m, id);
      await this.history(
        m,
        id,
        actorOf(p),
        'feedback',
        null,
        null,
        dto.note ?? dto.reason ?? null,
        {
          status: dto.status,
          at: at.toISOString(),
          ...(dto.saleValue !== undefined ? { saleValue: dto.saleValue } : {}),
        },
      );
      return view(await this.row(m, id));
    });
    return forAudience(p, updated);
  }

  /**
   * Publication: under the client's feed lock, so feed positions commit in order (a reader that
   * sees position N has every position before it); routes to the best-matched rep and queues the
   * webhook deliveries in the same transaction.
   */
  /**
   * The client's feed lock (publications take their feed positions in turn). Whoever also adds
   * to the roll-ups in the same transaction takes it first: a publication holds it while it
   * adds to the roll-ups, so the other order would deadlock.
   */
  async lockFeed(m: EntityManager, clientId: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('referral-feed:' || $1, 0))`, [
      clientId,
    ]);
  }

  private async publish(m: EntityManager, id: string, actor: Actor): Promise<void> {
    const now = this.clock.now();
    const [r]: (Row & { product: string | null; timezone: string })[] = await m.query(
      `SELECT r.*, g.product, cl.timezone FROM referrals r
         JOIN campaigns g ON g.id = r.campaign_id JOIN clients cl ON cl.id = r.client_id
        WHERE r.id = $1`,
      [id],
    );
    await this.lockFeed(m, r.client_id);
    const reps: RoutableRep[] = await m.query(
      `SELECT s.id, s.name, s.specialties, s.territories, s.available, s.is_default AS "isDefault",
              (SELECT count(*)::int FROM referrals o WHERE o.rep_id = s.id AND o.status = 'published'
                  AND (o.feedback_status IS NULL OR o.feedback_status NOT IN ('won', 'lost', 'unreachable'))) AS "openReferrals"
         FROM sales_reps s WHERE s.client_id = $1`,
      [r.client_id],
    );
    const before = await this.rollups.figuresOf(m, id);
    const route = routeReferral(
      { state: r.state, zip: r.zip, product: r.product, need: r.need },
      reps,
    );
    await m.query(
      `UPDATE referrals SET status = 'published', review_reason = NULL, published_at = $2,
              feed_seq = nextval('referral_feed_seq'), feed_day = ($2::timestamptz AT TIME ZONE $3)::date,
              rep_id = $4, routing_reason = $5, updated_at = $2
        WHERE id = $1`,
      [id, now, r.timezone, route.repId, route.reason],
    );
    await this.rollups.referralChanged(m, id, before);
    await this.history(m, id, actor, 'published', r.status, 'published', route.reason, {
      repId: route.repId,
    });
    await this.outbox.referralPublished(m, r.client_id, id, now);
  }

  private async applyEdits(
    m: EntityManager,
    row: Row,
    dto: EditReferralDto,
    p: Principal,
  ): Promise<Row> {
    const contact = normaliseContact({ ...row.contact, ...(dto.contact ?? {}) });
    const merged = {
      rating: dto.rating ?? row.rating,
      need: (dto.need ?? row.need).trim(),
      timeframe: dto.timeframe ?? row.timeframe,
      budget: dto.budget ?? row.budget,
      decisionMaker: dto.decisionMaker ?? row.decision_maker,
      employees: dto.employees ?? row.employees,
      expectingCall: dto.expectingCall ?? row.expecting_call,
      nextStep: dto.nextStep ?? row.next_step,
    };
    const [weights]: { score_weights: ScoreWeights | null }[] = await m.query(
      'SELECT score_weights FROM campaigns WHERE id = $1',
      [row.campaign_id],
    );
    const score = scoreReferral(
      merged as Parameters<typeof scoreReferral>[0],
      weights.score_weights ?? DEFAULT_SCORE_WEIGHTS,
    );
    const problems = completenessProblems({ need: merged.need, contact });
    await m.query(
      `UPDATE referrals SET rating = $2, need = $3, timeframe = $4, budget = $5, decision_maker = $6, employees = $7,
              expecting_call = $8, next_step = $9, contact = $10, score = $11, problems = $12, updated_at = $13
        WHERE id = $1`,
      [
        row.id,
        merged.rating,
        merged.need,
        merged.timeframe,
        merged.budget,
        merged.decisionMaker,
        merged.employees,
        merged.expectingCall,
        merged.nextStep,
        JSON.stringify(contact),
        score,
        JSON.stringify(problems),
        this.clock.now(),
      ],
    );
    // The fields sent (a validated body has a key for every field, given or not).
    const fields = Object.keys(dto).filter((k) => dto[k as keyof EditReferralDto] !== undefined);
    if (fields.length) {
      await this.history(m, row.id, actorOf(p), 'edited', row.status, row.status, null, {
        fields,
      });
    }
    return this.row(m, row.id);
  }

  /** The referral if the principal may see it (404 otherwise), optionally locked. */
  private async visible(m: EntityManager, p: Principal, id: string, lock = false): Promise<Row> {
    const [row]: Row[] = await m.query(
      `SELECT * FROM referrals WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    if (!row) throw AppError.notFound('Referral');
    if (p.kind === 'user' && p.role === 'caller') {
      if (row.caller_id !== p.userId) throw AppError.notFound('Referral');
    } else if (!(await this.tenants.canSee(p, row.client_id))) {
      throw AppError.notFound('Referral');
    } else if ((p.kind === 'api_key' || p.role === 'client') && row.status !== 'published') {
      throw AppError.notFound('Referral');
    }
    return row;
  }

  private async row(m: EntityManager, id: string): Promise<Row> {
    const [row]: Row[] = await m.query('SELECT * FROM referrals WHERE id = $1', [id]);
    return row;
  }

  private async history(
    m: EntityManager,
    referralId: string,
    actor: Actor,
    action: string,
    from: string | null,
    to: string | null,
    reason: string | null,
    details: Record<string, unknown> | null = null,
  ): Promise<void> {
    await m.query(
      `INSERT INTO referral_events (referral_id, at, actor_kind, actor_id, action, from_status, to_status, reason, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        referralId,
        this.clock.now(),
        actor.kind,
        actor.id,
        action,
        from,
        to,
        reason,
        details ? JSON.stringify(details) : null,
      ],
    );
  }
}

function normaliseContact(
  c: Partial<Record<keyof ReferralContactDetails, string | null>>,
): ReferralContactDetails {
  const t = (v: string | null | undefined) => (v && v.trim() ? v.trim() : null);
  const phone = t(c.phone);
  const parsed = phone ? parsePhoneNumberFromString(phone, 'US') : undefined;
  return {
    name: t(c.name),
    title: t(c.title),
    // E.164 when it is a valid number; kept as typed otherwise (completeness then says why).
    phone: parsed?.isValid() ? parsed.number : phone,
    email: t(c.email),
    website: t(c.website),
    company: t(c.company),
  };
}

/** A `date` column as YYYY-MM-DD (the driver hands it over as a local-midnight Date). */
function dayOf(d: string | Date | null): string | null {
  if (d === null || typeof d === 'string') return d;
  const pad = (x: number) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Client users and API keys: no agency internals (which call, which caller, review flags). */
function isClientSide(p: Principal): boolean {
  return p.kind === 'api_key' || p.role === 'client';
}

const AGENCY_ONLY = ['callId', 'callerId', 'flagged', 'reviewReason', 'problems'] as const;

function forAudience(p: Principal, v: ReferralView): ReferralView {
  if (!isClientSide(p)) return v;
  const shown: Partial<ReferralView> = { ...v };
  for (const k of AGENCY_ONLY) delete shown[k];
  return shown as ReferralView;
}

function view(r: Row): ReferralView {
  return {
    id: r.id,
    clientId: r.client_id,
    campaignId: r.campaign_id,
    callId: r.call_id,
    callerId: r.caller_id,
    status: r.status,
    reviewReason: r.review_reason,
    problems: r.problems,
    rating: r.rating,
    score: r.score,
    flagged: r.flagged,
    need: r.need,
    timeframe: r.timeframe,
    budget: r.budget,
    decisionMaker: r.decision_maker,
    employees: r.employees,
    expectingCall: r.expecting_call,
    nextStep: r.next_step,
    contact: r.contact,
    repId: r.rep_id,
    repName: r.rep_name ?? null,
    routingReason: r.routing_reason,
    publishedAt: r.published_at,
    feedDay: dayOf(r.feed_day),
    feedbackStatus: r.feedback_status,
    followUpSeconds: r.follow_up_seconds,
    saleValue: r.sale_value === null ? null : Number(r.sale_value),
    createdAt: r.created_at,
  };
}

/** The events of a referral's history its client sees. */
const CLIENT_EVENTS = new Set(['published', 'feedback']);
