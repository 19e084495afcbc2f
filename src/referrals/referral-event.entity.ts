import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Every change of a referral: who (a user, an API key, the system), when, what and why. */
@Entity('referral_events')
export class ReferralEvent {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Index('referral_events_referral_id_idx')
  @Column({ name: 'referral_id', type: 'uuid' })
  referralId!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  /** `user`, `api_key` or `system`. */
  @Column({ name: 'actor_kind', type: 'varchar', length: 10 })
  actorKind!: string;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  /** `created`, `edited`, `published`, `returned`, `resubmitted`, `feedback`. */
  @Column({ type: 'varchar', length: 20 })
  action!: string;

  @Column({ name: 'from_status', type: 'varchar', length: 20, nullable: true })
  fromStatus!: string | null;

  @Column({ name: 'to_status', type: 'varchar', length: 20, nullable: true })
  toStatus!: string | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  details!: Record<string, unknown> | null;
}
