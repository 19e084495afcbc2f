import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const IMPORT_STATUSES = ['running', 'completed', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export interface ImportProblem {
  line: number;
  reason: string;
}

/** One upload of a contact list and its report; `received = imported + duplicates + invalid + dnc`. */
@Entity('contact_imports')
export class ContactImport {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('contact_imports_campaign_id_idx')
  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @Column({ name: 'client_id', type: 'uuid' })
  clientId!: string;

  @Column({ type: 'enum', enum: IMPORT_STATUSES, enumName: 'import_status', default: 'running' })
  status!: ImportStatus;

  @Column({ name: 'file_name', type: 'varchar', length: 300, nullable: true })
  fileName!: string | null;

  /** Size of the uploaded file, and how much of it has been worked through: the progress bar. */
  @Column({ name: 'bytes_total', type: 'bigint', default: 0 })
  bytesTotal!: string;

  @Column({ name: 'bytes_read', type: 'bigint', default: 0 })
  bytesRead!: string;

  @Column({ type: 'integer', default: 0 }) received!: number;
  @Column({ type: 'integer', default: 0 }) imported!: number;
  @Column({ type: 'integer', default: 0 }) duplicates!: number;
  @Column({ type: 'integer', default: 0 }) invalid!: number;
  @Column({ type: 'integer', default: 0 }) dnc!: number;

  /** The first 1,000 rejected lines with their reasons. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  errors!: ImportProblem[];

  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason!: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Written every few seconds while the import runs; a stale one means the worker died (see ImportsService). */
  @Column({ name: 'heartbeat_at', type: 'timestamptz', default: () => 'now()' })
  heartbeatAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
