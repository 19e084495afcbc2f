import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One try of a delivery and what the receiver answered (shown to account managers). */
@Entity('webhook_attempts')
export class WebhookAttempt {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Index('webhook_attempts_delivery_idx')
  @Column({ name: 'delivery_id', type: 'varchar', length: 40 })
  deliveryId!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode!: number | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs!: number;
}
