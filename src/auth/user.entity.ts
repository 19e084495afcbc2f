import {
  Check,
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
import { Client } from '../clients/client.entity';
import type { Role } from './roles';

@Entity('users')
@Check('users_client_role', `("role" = 'client') = ("client_id" IS NOT NULL)`)
export class User {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Stored lower-cased; unique. */
  @Index('users_email_key', { unique: true })
  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash!: string;

  @Column({
    type: 'enum',
    enum: ['admin', 'account_manager', 'caller', 'client'],
    enumName: 'user_role',
  })
  role!: Role;

  @Column({ type: 'varchar', length: 200, nullable: true })
  name!: string | null;

  /** Set for role `client` only: the one client company this user belongs to. */
  @Index('users_client_id_idx')
  @Column({ name: 'client_id', type: 'uuid', nullable: true })
  clientId!: string | null;

  @ManyToOne(() => Client, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'client_id' })
  client?: Relation<Client>;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** Bumped when the password changes or the user is deactivated: older tokens stop working. */
  @Column({ name: 'token_version', type: 'int', default: 0 })
  tokenVersion!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
