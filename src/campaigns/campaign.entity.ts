import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import { Client } from '../clients/client.entity';

export const CAMPAIGN_STATUSES = ['draft', 'active', 'paused', 'closed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const CAMPAIGN_KINDS = ['b2b', 'consumer'] as const;
export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];

/** A named variant of the pitch or the offer; results are compared per key later. */
export interface Variant {
  key: string;
  name: string;
  text: string;
}

/** A campaign: one client's product, called from one contact list under one set of rules. */
@Entity('campaigns')
export class Campaign {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('campaigns_client_id_idx')
  @Column({ name: 'client_id', type: 'uuid' })
  clientId!: string;

  @ManyToOne(() => Client, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'client_id' })
  client?: Relation<Client>;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  product!: string | null;

  /** Markdown the caller reads; must name the client before the campaign can go active. */
  @Column({ type: 'text', default: '' })
  script!: string;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  pitches!: Variant[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  offers!: Variant[];

  @Column({ name: 'talk_cap_seconds', type: 'integer', default: 300 })
  talkCapSeconds!: number;

  @Column({ name: 'extended_cap_seconds', type: 'integer', default: 600 })
  extendedCapSeconds!: number;

  /** Share of calls (percent) that may use the extended cap. */
  @Column({ name: 'extend_allowance_pct', type: 'integer', default: 10 })
  extendAllowancePct!: number;

  /** Weights of the referral score (null = the documented defaults). */
  @Column({ name: 'score_weights', type: 'jsonb', nullable: true })
  scoreWeights!: Record<string, number> | null;

  /** Percent of complete referrals an account manager reviews before publication. */
  @Column({ name: 'review_sample_pct', type: 'integer', default: 0 })
  reviewSamplePct!: number;

  /** Record calls (both parties, from answer), with a notice played to the called party first. */
  @Column({ name: 'record_calls', type: 'boolean', default: false })
  recordCalls!: boolean;

  /** Local time of the contact, 'HH:MM'; may only narrow 08:00–21:00. */
  @Column({ name: 'window_start', type: 'varchar', length: 5, default: '08:00' })
  windowStart!: string;

  @Column({ name: 'window_end', type: 'varchar', length: 5, default: '21:00' })
  windowEnd!: string;

  @Column({ name: 'max_attempts', type: 'integer', default: 3 })
  maxAttempts!: number;

  @Column({ name: 'min_retry_minutes', type: 'integer', default: 240 })
  minRetryMinutes!: number;

  @Column({ name: 'lease_seconds', type: 'integer', default: 900 })
  leaseSeconds!: number;

  /** Seconds the console shows the next contact before it dials it by itself (0 = at once). */
  @Column({ name: 'preview_seconds', type: 'integer', default: 5 })
  previewSeconds!: number;

  /** E.164 number shown to the people called. */
  @Column({ name: 'caller_id', type: 'varchar', length: 20, nullable: true })
  callerId!: string | null;

  @Column({ type: 'enum', enum: CAMPAIGN_KINDS, enumName: 'campaign_kind', default: 'b2b' })
  kind!: CampaignKind;

  /** Country assumed for phone numbers written without one. */
  @Column({ name: 'default_country', type: 'char', length: 2, default: 'US' })
  defaultCountry!: string;

  @Column({ type: 'enum', enum: CAMPAIGN_STATUSES, enumName: 'campaign_status', default: 'draft' })
  status!: CampaignStatus;

  /** Every time zone any of its contacts may be in (kept by imports; lets a claim test only these). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  zones!: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
