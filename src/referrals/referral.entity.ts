import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const REFERRAL_STATUSES = ['needs_review', 'returned', 'published'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export const FEEDBACK_STATUSES = ['contacted', 'meeting', 'won', 'lost', 'unreachable'] as const;
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];

/** The contact details the caller took down (what the client's rep will call). */
export interface ReferralContactDetails {
  name: string | null;
  title: string | null;
  phone: string | null;
  email: string | null;
  website: string | null;
  company: string | null;
}

/**
 * A good conversation turned into something a client's sales team can act on: created by a
 * `referral` outcome, reviewed when incomplete (or sampled, or flagged), published to the client
 * with a rep assigned, and followed by the client's feedback.
 */
@Entity('referrals')
@Index('referrals_client_feed_seq_idx', ['clientId', 'feedSeq'], {
  where: `"feed_seq" IS NOT NULL`,
})
@Index('referrals_client_feed_day_idx', ['clientId', 'feedDay'], {
  where: `"feed_day" IS NOT NULL`,
})
@Index('referrals_status_idx', ['status', 'createdAt'])
export class Referral {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'client_id', type: 'uuid' })
  clientId!: string;

  @Index('referrals_campaign_id_idx')
  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @Index('referrals_call_id_key', { unique: true })
  @Column({ name: 'call_id', type: 'uuid' })
  callId!: string;

  @Column({ name: 'contact_id', type: 'bigint' })
  contactId!: string;

  @Index('referrals_caller_id_idx')
  @Column({ name: 'caller_id', type: 'uuid' })
  callerId!: string;

  @Column({
    type: 'enum',
    enum: ['very_interested', 'needs_work'],
    enumName: 'referral_rating',
  })
  rating!: 'very_interested' | 'needs_work';

  @Column({ type: 'smallint' })
  score!: number;

  /** A hot rating with a score far below the campaign's usual: shown to account managers. */
  @Column({ type: 'boolean', default: false })
  flagged!: boolean;

  @Column({ type: 'text' })
  need!: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  timeframe!: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  budget!: string | null;

  @Column({ name: 'decision_maker', type: 'varchar', length: 20, nullable: true })
  decisionMaker!: string | null;

  @Column({ type: 'integer', nullable: true })
  employees!: number | null;

  @Column({ name: 'expecting_call', type: 'boolean', nullable: true })
  expectingCall!: boolean | null;

  @Column({ name: 'next_step', type: 'varchar', length: 30, nullable: true })
  nextStep!: string | null;

  @Column({ type: 'jsonb' })
  contact!: ReferralContactDetails;

  /** The contact's state and ZIP at the time (for routing by territory). */
  @Column({ type: 'varchar', length: 2, nullable: true })
  state!: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  zip!: string | null;

  @Column({
    type: 'enum',
    enum: REFERRAL_STATUSES,
    enumName: 'referral_status',
  })
  status!: ReferralStatus;

  /** Why it waits for review (`incomplete`, `flagged`, `sampled`, `resubmitted`) or was returned. */
  @Column({ name: 'review_reason', type: 'text', nullable: true })
  reviewReason!: string | null;

  /** What keeps it from being complete, as `[{field, message}]` (empty when complete). */
  @Column({ type: 'jsonb', default: () => `'[]'` })
  problems!: { field: string; message: string }[];

  @Index('referrals_rep_id_idx')
  @Column({ name: 'rep_id', type: 'uuid', nullable: true })
  repId!: string | null;

  @Column({ name: 'routing_reason', type: 'text', nullable: true })
  routingReason!: string | null;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  /** Order of publication within the client; the feed's cursor. Assigned under a per-client lock. */
  @Column({ name: 'feed_seq', type: 'bigint', nullable: true })
  feedSeq!: string | null;

  /** The client's calendar day (its own time zone) the referral was published on. */
  @Column({ name: 'feed_day', type: 'date', nullable: true })
  feedDay!: string | null;

  @Column({ name: 'feedback_status', type: 'varchar', length: 20, nullable: true })
  feedbackStatus!: FeedbackStatus | null;

  @Column({ name: 'feedback_at', type: 'timestamptz', nullable: true })
  feedbackAt!: Date | null;

  @Column({ name: 'first_contacted_at', type: 'timestamptz', nullable: true })
  firstContactedAt!: Date | null;

  /** Seconds from publication to the client's first contact. */
  @Column({ name: 'follow_up_seconds', type: 'integer', nullable: true })
  followUpSeconds!: number | null;

  @Column({ name: 'sale_value', type: 'numeric', precision: 14, scale: 2, nullable: true })
  saleValue!: string | null;

  @Column({ name: 'lost_reason', type: 'text', nullable: true })
  lostReason!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
