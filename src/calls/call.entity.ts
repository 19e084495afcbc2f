import { DISPOSITIONS, type Disposition } from './outcome-rules';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const CALL_STATES = [
  'leased',
  'dialing',
  'ringing',
  'in_progress',
  'completed',
  'busy',
  'failed',
  'no-answer',
  'canceled',
  'expired',
  'released',
  'dropped',
  'no_outcome',
] as const;
export type CallState = (typeof CALL_STATES)[number];

/**
 * One attempt on one contact by one caller: created by the claim (state `leased`), completed
 * by the calls loop (dial, status, outcome). Its id is the `callId` of the API.
 */
@Entity('calls')
@Index('calls_phone_dialed_at_idx', ['phone', 'dialedAt'])
@Index('calls_caller_open_key', ['callerId'], { unique: true, where: `"state" = 'leased'` })
@Index('calls_on_line_idx', ['answeredAt'], { where: `"state" = 'in_progress'` })
// Calls hung up and still waiting for their outcome (the sweep closes them after the wrap-up).
@Index('calls_awaiting_outcome_idx', ['endedAt'], {
  where: `"disposition" IS NULL AND "state" IN ('completed', 'busy', 'failed', 'no-answer', 'canceled')`,
})
@Index('calls_live_idx', ['dialedAt'], {
  where: `"state" IN ('dialing', 'ringing', 'in_progress')`,
})
// A caller's dialed calls by time: their state now (on a call, in wrap-up) and their day's time.
@Index('calls_caller_dialed_idx', ['callerId', 'dialedAt'], { where: '"dialed_at" IS NOT NULL' })
export class Call {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'client_id', type: 'uuid' })
  clientId!: string;

  @Index('calls_campaign_id_idx')
  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @Index('calls_contact_id_idx')
  @Column({ name: 'contact_id', type: 'bigint' })
  contactId!: string;

  @Column({ name: 'caller_id', type: 'uuid' })
  callerId!: string;

  @Column({ type: 'varchar', length: 20 })
  phone!: string;

  @Column({ type: 'enum', enum: CALL_STATES, enumName: 'call_state', default: 'leased' })
  state!: CallState;

  @Column({ name: 'pitch_key', type: 'varchar', length: 60, nullable: true })
  pitchKey!: string | null;

  @Column({ name: 'offer_key', type: 'varchar', length: 60, nullable: true })
  offerKey!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz' })
  leaseExpiresAt!: Date;

  @Column({ name: 'dialed_at', type: 'timestamptz', nullable: true })
  dialedAt!: Date | null;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt!: Date | null;

  /** The talk cap in force for this call (the campaign's, or its extended cap once granted). */
  @Column({ name: 'cap_seconds', type: 'integer', nullable: true })
  capSeconds!: number | null;

  @Column({ type: 'boolean', default: false })
  extended!: boolean;

  @Column({ name: 'talk_seconds', type: 'integer', nullable: true })
  talkSeconds!: number | null;

  @Column({ name: 'hit_cap', type: 'boolean', default: false })
  hitCap!: boolean;

  /** Hang-up time (telephony); the wrap-up window for the outcome runs from here. */
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  /** The browser's leg (Twilio's `CallSid` on the voice request; `ParentCallSid` of status callbacks). */
  @Column({ name: 'parent_call_sid', type: 'varchar', length: 40, nullable: true })
  parentCallSid!: string | null;

  /** The dialed leg (`CallSid` of the status callbacks). */
  @Column({ name: 'provider_call_sid', type: 'varchar', length: 40, nullable: true })
  providerCallSid!: string | null;

  /**
   * When Twilio said the browser leg's `<Dial>` is over (its Dial action) or the browser leg
   * ended (the TwiML App's status callback): a call still on the line with no dialed leg after
   * that is settled by ParentLegs.
   */
  @Column({ name: 'parent_ended_at', type: 'timestamptz', nullable: true })
  parentEndedAt!: Date | null;

  /** When the service asked the provider to end the call at the cap. */
  @Column({ name: 'cut_requested_at', type: 'timestamptz', nullable: true })
  cutRequestedAt!: Date | null;

  /** When the reconciliation last asked the provider about this call (retried at most every minute). */
  @Column({ name: 'reconcile_attempted_at', type: 'timestamptz', nullable: true })
  reconcileAttemptedAt!: Date | null;

  @Column({ name: 'recording_sid', type: 'varchar', length: 40, nullable: true })
  recordingSid!: string | null;

  @Column({ name: 'recording_url', type: 'text', nullable: true })
  recordingUrl!: string | null;

  @Column({ name: 'recording_seconds', type: 'integer', nullable: true })
  recordingSeconds!: number | null;

  @Column({ type: 'enum', enum: DISPOSITIONS, enumName: 'call_disposition', nullable: true })
  disposition!: Disposition | null;

  /** The outcome as recorded (notes, recall time, referral), kept to answer a repeat the same way. */
  @Column({ type: 'jsonb', nullable: true })
  outcome!: Record<string, unknown> | null;

  @Column({ name: 'outcome_at', type: 'timestamptz', nullable: true })
  outcomeAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
