import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

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
}
