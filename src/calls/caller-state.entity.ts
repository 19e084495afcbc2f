import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What a caller says they are (the console's Ready / Pause switch, sent on change and every 30 s). */
export const DECLARED_STATES = ['ready', 'paused'] as const;
export type DeclaredState = (typeof DECLARED_STATES)[number];

/** Why a caller pauses. */
export const PAUSE_REASONS = ['break', 'lunch', 'training', 'meeting', 'other'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

/**
 * One stretch of a caller's declared state: from `started_at` until `ended_at` (a change of
 * state, a sign-out, or 90 s of silence, written when the caller is next heard from); open
 * (`ended_at` null) while it lasts, `last_seen_at` refreshed by each heartbeat. A gap between
 * stretches is time signed out. `on_call` and `wrap_up` are not stored: they follow the calls
 * (see callerStateNow and timeInStates).
 */
@Entity('caller_state_intervals')
@Index('caller_state_intervals_user_started_idx', ['userId', 'startedAt'])
@Index('caller_state_intervals_open_key', ['userId'], {
  unique: true,
  where: '"ended_at" IS NULL',
})
export class CallerStateInterval {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'enum', enum: DECLARED_STATES, enumName: 'caller_declared_state' })
  state!: DeclaredState;

  /** Why, for a pause; null when ready. */
  @Column({ type: 'enum', enum: PAUSE_REASONS, enumName: 'pause_reason', nullable: true })
  reason!: PauseReason | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  /** The caller's last word in this state (the heartbeat). */
  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt!: Date;
}
