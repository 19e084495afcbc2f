import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Failed sign-in attempts in the current window of one key (see LoginThrottle for the keys):
 * an account tried from unknown places, an address, or an account from one place it knows.
 * Kept in PostgreSQL so that every instance of the service shares the count; a row whose
 * window has ended is purged.
 */
@Entity('login_failures')
@Index('login_failures_window_started_at_idx', ['windowStartedAt'])
export class LoginFailure {
  @PrimaryColumn({ type: 'varchar', length: 300 })
  key!: string;

  @Column({ type: 'integer' })
  failures!: number;

  @Column({ name: 'window_started_at', type: 'timestamptz' })
  windowStartedAt!: Date;
}
