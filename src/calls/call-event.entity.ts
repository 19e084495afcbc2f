import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type CallEventSource = 'callback' | 'provider' | 'synthetic';

/**
 * One status callback of the telephony provider, stored once: Twilio retries and reorders, so the
 * key is the leg's call SID and the event's sequence number.
 */
@Entity('call_events')
@Index('call_events_sid_seq_key', ['callSid', 'sequenceNumber'], { unique: true })
export class CallEventRow {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Index('call_events_call_id_idx')
  @Column({ name: 'call_id', type: 'uuid' })
  callId!: string;

  @Column({ name: 'call_sid', type: 'varchar', length: 40 })
  callSid!: string;

  /** Twilio's `SequenceNumber` (from 0); -1 for the one event a reconciliation stores. */
  @Column({ name: 'sequence_number', type: 'integer' })
  sequenceNumber!: number;

  /** Twilio's `CallStatus` as sent (`initiated`, `ringing`, `in-progress`, `completed`, …). */
  @Column({ type: 'varchar', length: 20 })
  status!: string;

  @Column({ name: 'duration_seconds', type: 'integer', nullable: true })
  durationSeconds!: number | null;

  /** Whether the event moved the call (false: a duplicate state or one that arrived too late). */
  @Column({ type: 'boolean' })
  applied!: boolean;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  /**
   * Where the event came from: `callback` (a status callback), `provider` (the provider's REST
   * API, asked by the reconciliation when the final callback never came), `synthetic` (made by
   * the reconciliation where the provider cannot answer: the simulated phone, an unknown call).
   */
  @Column({ type: 'varchar', length: 10, default: 'callback' })
  source!: CallEventSource;
}
