import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Failed sign-in attempts, counted per account (`account:<email>`) and per address
 * (`address:<ip>`). Kept in PostgreSQL so that every instance of the service shares the count.
 */
@Entity('login_failures')
export class LoginFailure {
  @PrimaryColumn({ type: 'varchar', length: 300 })
  key!: string;

  @Column({ type: 'integer' })
  failures!: number;

  @Column({ name: 'window_started_at', type: 'timestamptz' })
  windowStartedAt!: Date;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;
}
