import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { User } from './user.entity';

/** An address, or a browser (its device cookie), an account has signed in from. */
export type KnownContextKind = 'address' | 'device';

/**
 * Where an account has signed in successfully: an address (`addressKey`, IPv6 by /64) or a
 * browser (SHA-256 of its device cookie). A correct password from a known place is not held back
 * by failures others caused on the account or the address. Forgotten `LOGIN_KNOWN_DAYS` after
 * the last success there.
 */
@Entity('login_known_contexts')
@Index('login_known_contexts_last_success_at_idx', ['lastSuccessAt'])
export class LoginKnownContext {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @PrimaryColumn({ type: 'varchar', length: 8 })
  kind!: KnownContextKind;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  value!: string;

  @Column({ name: 'last_success_at', type: 'timestamptz' })
  lastSuccessAt!: Date;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;
}
