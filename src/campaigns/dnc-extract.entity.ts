import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One uploaded do-not-call file: a registry extract (with the date it was obtained: consumer
 * campaigns stop when the newest is older than 31 days) or an internal list.
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

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
