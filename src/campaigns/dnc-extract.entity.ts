import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { User } from '../auth/user.entity';

/**
 * One uploaded do-not-call file: a registry extract (with the date it was obtained: consumer
 * campaigns stop when the newest that listed a number is older than 31 days) or an internal
 * list, and who uploaded it.
 */
@Entity('dnc_extracts')
export class DncExtract {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'client_id', type: 'uuid', nullable: true })
  clientId!: string | null;

  @Column({ type: 'boolean', default: false })
  registry!: boolean;

  @Column({ name: 'obtained_at', type: 'date', nullable: true })
  obtainedAt!: string | null;

  @Column({ type: 'integer', default: 0 }) received!: number;
  @Column({ type: 'integer', default: 0 }) added!: number;
  @Column({ type: 'integer', default: 0 }) invalid!: number;
  /**
   * Valid numbers the file listed (new or already listed): a registry extract counts for the
   * 31-day rule only when this is above 0.
   */
  @Column({ type: 'integer', default: 0 }) listed!: number;

  /** The uploader (null only on rows from before it was required). */
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by' })
  uploader?: Relation<User>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
