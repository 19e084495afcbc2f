import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The counters every figures roll-up carries. */
abstract class Counters {
  /** Calls with an outcome (each an attempt on a contact). */
  @Column({ type: 'integer', default: 0 }) dials!: number;
  /** A person answered: every disposition but no answer, busy, voicemail and wrong number. */
  @Column({ type: 'integer', default: 0 }) connects!: number;
  /** Dialed through the platform (the rest were skipped or dialed from another phone). */
  @Column({ name: 'dialed_here', type: 'integer', default: 0 }) dialedHere!: number;
  @Column({ type: 'integer', default: 0 }) referrals!: number;
  @Column({ name: 'very_interested', type: 'integer', default: 0 }) veryInterested!: number;
  @Column({ name: 'needs_work', type: 'integer', default: 0 }) needsWork!: number;
  @Column({ type: 'integer', default: 0 }) published!: number;
  /** Referrals the client reached (first contact reported). */
  @Column({ type: 'integer', default: 0 }) contacted!: number;
  @Column({ type: 'integer', default: 0 }) won!: number;
  @Column({ type: 'integer', default: 0 }) lost!: number;
  @Column({ name: 'won_very_interested', type: 'integer', default: 0 }) wonVeryInterested!: number;
  @Column({ name: 'won_needs_work', type: 'integer', default: 0 }) wonNeedsWork!: number;
  @Column({ name: 'final_very_interested', type: 'integer', default: 0 })
  finalVeryInterested!: number;
  @Column({ name: 'final_needs_work', type: 'integer', default: 0 }) finalNeedsWork!: number;
  @Column({ name: 'sale_value', type: 'numeric', precision: 16, scale: 2, default: 0 })
  saleValue!: string;
  @Column({ name: 'talk_seconds', type: 'bigint', default: 0 }) talkSeconds!: string;
  @Column({ name: 'hit_cap', type: 'integer', default: 0 }) hitCap!: number;
  @Column({ type: 'integer', default: 0 }) extended!: number;
}

/** The counters of report_daily and report_monthly, with their key but for the period. */
abstract class ReportCounters extends Counters {
  @PrimaryColumn({ name: 'client_id', type: 'uuid' })
  clientId!: string;

  @PrimaryColumn({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @PrimaryColumn({ name: 'caller_id', type: 'uuid' })
  callerId!: string;

  /** '' when the call had no pitch. */
  @PrimaryColumn({ name: 'pitch_key', type: 'varchar', length: 60 })
  pitchKey!: string;

  @PrimaryColumn({ name: 'offer_key', type: 'varchar', length: 60 })
  offerKey!: string;
}

/**
 * Report figures per day (the client's calendar day of the outcome), client, campaign, caller,
 * pitch and offer: kept current in the transaction of each outcome, publication and feedback,
 * so reports add up a few rows instead of scanning calls. Everything about a referral (publication,
 * feedback) is counted on the row of the call it came from, so close rates follow the caller,
 * the pitch and the offer that made the referral.
 */
@Entity('report_daily')
@Index('report_daily_client_day_idx', ['clientId', 'day'])
@Index('report_daily_campaign_day_idx', ['campaignId', 'day'])
@Index('report_daily_caller_day_idx', ['callerId', 'day'])
export class ReportDaily extends ReportCounters {
  @PrimaryColumn({ type: 'date' })
  day!: string;

  /** First and last outcome of the day on this row: the caller's working span, for dials per hour. */
  @Column({ name: 'first_at', type: 'timestamptz', nullable: true }) firstAt!: Date | null;
  @Column({ name: 'last_at', type: 'timestamptz', nullable: true }) lastAt!: Date | null;
}

/**
 * The same figures per calendar month (the first day of the month): a period of whole months
 * reads one row where report_daily has thirty, so a client's or a caller's report over years adds
 * up hundreds of rows, not tens of thousands (days at the edges of a period still come from
 * report_daily). Kept in the same statements as report_daily.
 */
@Entity('report_monthly')
@Index('report_monthly_client_month_idx', ['clientId', 'month'])
@Index('report_monthly_campaign_month_idx', ['campaignId', 'month'])
@Index('report_monthly_caller_month_idx', ['callerId', 'month'])
export class ReportMonthly extends ReportCounters {
  @PrimaryColumn({ type: 'date' })
  month!: string;
}

/**
 * Follow-up of published referrals per client, campaign and rep, by how long the client took to
 * first reach the prospect (bucket): reached, and of those with a final answer, won.
 */
@Entity('report_followup')
@Index('report_followup_client_idx', ['clientId'])
export class ReportFollowup {
  @PrimaryColumn({ name: 'client_id', type: 'uuid' })
  clientId!: string;

  @PrimaryColumn({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  /** The nil UUID when the referral had no rep. */
  @PrimaryColumn({ name: 'rep_id', type: 'uuid' })
  repId!: string;

  /** Index into FOLLOW_UP_BUCKETS. */
  @PrimaryColumn({ type: 'smallint' })
  bucket!: number;

  @Column({ type: 'integer', default: 0 }) reached!: number;
  @Column({ name: 'final', type: 'integer', default: 0 }) final!: number;
  @Column({ type: 'integer', default: 0 }) won!: number;
}

/** A caller's working day: its dials, first and last outcome, and working time. */
abstract class CallerDayColumns {
  @Column({ type: 'integer', default: 0 }) dials!: number;
  @Column({ name: 'first_at', type: 'timestamptz' }) firstAt!: Date;
  @Column({ name: 'last_at', type: 'timestamptz' }) lastAt!: Date;
  /**
   * The day's working time (callerDaySeconds of dials, first_at and last_at), kept with them so
   * that caller-hours are a plain sum.
   */
  @Column({ type: 'double precision' }) seconds!: number;
}

/**
 * A caller's working day for one client (the client's calendar day): dials and the first and
 * last outcome, whatever the campaign, pitch or offer. Client and caller reports read their
 * caller-hours here (a handful of narrow rows per caller-day instead of regrouping report_daily);
 * kept in the transaction of each outcome, like report_daily.
 */
@Entity('report_caller_day')
// Both indexes hold every column a report reads, so that a client's or a caller's years of
// caller-days come from a few index pages (an index-only scan) rather than one table page each.
@Index('report_caller_day_client_idx', ['clientId', 'day', 'callerId', 'seconds'])
@Index('report_caller_day_caller_idx', [
  'callerId',
  'day',
  'clientId',
  'dials',
  'firstAt',
  'lastAt',
])
export class ReportCallerDay extends CallerDayColumns {
  @PrimaryColumn({ name: 'client_id', type: 'uuid' })
  clientId!: string;

  @PrimaryColumn({ type: 'date' })
  day!: string;

  @PrimaryColumn({ name: 'caller_id', type: 'uuid' })
  callerId!: string;
}

/**
 * The same figures per campaign and day, all callers, pitches and offers together: a campaign's
 * report by day or week reads one row per day here, where report_daily has one per caller, pitch
 * and offer (a two-year campaign of 20 callers with two pitches and two offers: 730 rows instead
 * of about 58,000). Kept in the same statements as report_daily.
 */
@Entity('report_campaign_day')
export class ReportCampaignDay extends Counters {
  @PrimaryColumn({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @PrimaryColumn({ type: 'date' })
  day!: string;

  @Column({ name: 'client_id', type: 'uuid' })
  clientId!: string;
}

/**
 * A caller's working day within one campaign: as report_caller_day, for the campaign's
 * caller-hours (dials per caller-hour, the projection's finish date), so that a campaign report
 * adds up one narrow row per caller and day (from an index) instead of regrouping report_daily's
 * rows per pitch and offer. Kept in the transaction of each outcome.
 */
@Entity('report_campaign_caller_day')
@Index('report_campaign_caller_day_hours_idx', ['campaignId', 'day', 'callerId', 'seconds'])
export class ReportCampaignCallerDay extends CallerDayColumns {
  @PrimaryColumn({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @PrimaryColumn({ type: 'date' })
  day!: string;

  @PrimaryColumn({ name: 'caller_id', type: 'uuid' })
  callerId!: string;
}
