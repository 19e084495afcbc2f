import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const CONTACT_STATUSES = ['open', 'closed'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

/**
 * A name on a campaign's list. The queue columns (`queue_rank`, `queue_at`, `next_call_at`,
 * lease) let one indexed statement pick the next contact (see ContactQueue.claimNext).
 */
@Entity('contacts')
@Index('contacts_campaign_phone_key', ['campaignId', 'phone'], { unique: true })
@Index('contacts_queue_idx', ['campaignId', 'queueRank', 'queueAt', 'id'], {
  where: `"status" = 'open'`,
})
// Only leased contacts are looked up by phone (a number put on do-not-call drops its open leases),
// so only they are indexed by phone: an index of every row would slow every import.
@Index('contacts_leased_phone_idx', ['phone'], { where: '"leased_to" IS NOT NULL' })
export class Contact {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @Column({ name: 'client_id', type: 'uuid' })
  clientId!: string;

  @Column({ name: 'import_id', type: 'uuid', nullable: true })
  importId!: string | null;

  /** E.164. */
  @Column({ type: 'varchar', length: 20 })
  phone!: string;

  @Column({ name: 'alt_phones', type: 'text', array: true, default: () => "'{}'" })
  altPhones!: string[];

  @Column({ type: 'text', nullable: true }) company!: string | null;
  @Column({ name: 'first_name', type: 'text', nullable: true }) firstName!: string | null;
  @Column({ name: 'last_name', type: 'text', nullable: true }) lastName!: string | null;
  @Column({ type: 'text', nullable: true }) title!: string | null;
  @Column({ type: 'text', nullable: true }) email!: string | null;
  @Column({ type: 'text', nullable: true }) website!: string | null;
  @Column({ type: 'text', nullable: true }) street!: string | null;
  @Column({ type: 'text', nullable: true }) city!: string | null;
  @Column({ type: 'text', nullable: true }) state!: string | null;
  @Column({ type: 'text', nullable: true }) zip!: string | null;
  @Column({ type: 'char', length: 2, nullable: true }) country!: string | null;
  @Column({ type: 'integer', nullable: true }) employees!: number | null;
  @Column({ type: 'text', nullable: true }) industry!: string | null;
  @Column({ type: 'jsonb', default: () => "'{}'" }) custom!: Record<string, string>;

  /** Every zone the contact may be in; it is called only when all of them are inside the window. */
  @Column({ name: 'time_zones', type: 'text', array: true })
  timeZones!: string[];

  @Column({ type: 'enum', enum: CONTACT_STATUSES, enumName: 'contact_status', default: 'open' })
  status!: ContactStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt!: Date | null;

  /** 0 = a recall, 1 = never called, 2 = a retry: the claim takes lower ranks first. */
  @Column({ name: 'queue_rank', type: 'smallint', default: 1 })
  queueRank!: number;

  /** Oldest first within a rank: recall time, import time, or last attempt. */
  @Column({ name: 'queue_at', type: 'timestamptz', default: () => 'now()' })
  queueAt!: Date;

  /** Not to be called before this time (recall time, or last attempt + minimum gap). */
  @Column({ name: 'next_call_at', type: 'timestamptz', nullable: true })
  nextCallAt!: Date | null;

  @Column({ name: 'leased_to', type: 'uuid', nullable: true })
  leasedTo!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  /**
   * Prior express written consent to automated calls: when it was given and where it is kept
   * (a signed form, a web form's record). Both set = consent (see mayAutoDial).
   */
  @Column({ name: 'written_consent_at', type: 'timestamptz', nullable: true })
  writtenConsentAt!: Date | null;

  @Column({ name: 'written_consent_source', type: 'text', nullable: true })
  writtenConsentSource!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
