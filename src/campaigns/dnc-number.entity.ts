import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const DNC_SOURCES = ['manual', 'list', 'registry', 'outcome'] as const;
export type DncSource = (typeof DNC_SOURCES)[number];

/**
 * A number that must not be called: on the agency's global list (`client_id` null) or on one
 * client's list. `registry` numbers come from a national registry extract and bind consumer
 * campaigns only; every other source binds every campaign it applies to.
 */
@Entity('dnc_numbers')
// Looked up by phone on every claim. Not unique: a global entry has no client, and PostgreSQL 15
// would let NULLs repeat anyway; inserts skip numbers already listed for the same scope.
@Index('dnc_numbers_phone_idx', ['phone', 'clientId'])
export class DncNumber {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ type: 'varchar', length: 20 })
  phone!: string;

  @Column({ name: 'client_id', type: 'uuid', nullable: true })
  clientId!: string | null;

  @Column({ type: 'enum', enum: DNC_SOURCES, enumName: 'dnc_source' })
  source!: DncSource;

  @Column({ name: 'extract_id', type: 'uuid', nullable: true })
  extractId!: string | null;

  @Column({ name: 'added_by', type: 'uuid', nullable: true })
  addedBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
