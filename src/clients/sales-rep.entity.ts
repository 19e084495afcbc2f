import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import { Client } from './client.entity';

/** A member of the client's sales team who receives referrals. */
@Entity('sales_reps')
@Index('sales_reps_client_email_key', ['clientId', 'email'], { unique: true })
@Index('sales_reps_client_default_key', ['clientId'], { unique: true, where: `"is_default"` })
export class SalesRep {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'client_id', type: 'uuid' })
  clientId!: string;

  @ManyToOne(() => Client, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'client_id' })
  client?: Relation<Client>;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 254 })
  email!: string;

  /** Products or needs this rep handles best (free words, matched against referral needs). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  specialties!: string[];

  /** US state codes (`TX`) or ZIP prefixes (`750`). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  territories!: string[];

  @Column({ type: 'boolean', default: true })
  available!: boolean;

  /** Receives the referrals no rep matches (at most one per client). */
  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
