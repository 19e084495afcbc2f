import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppError } from '../common/app-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { Client } from '../clients/client.entity';
import type { CreateUserDto } from './dto/create-user.dto';
import type { ListUsersQuery } from './dto/list-users.query';
import type { UpdateUserDto } from './dto/update-user.dto';
import { hashPassword } from './passwords';
import type { Role } from './roles';
import { User } from './user.entity';
import { releaseLeases } from '../campaigns/contact-queue';
import { UserStates } from './user-states';

export interface UserView {
  id: string;
  email: string;
  role: Role;
  name: string | null;
  clientId: string | null;
  active: boolean;
  createdAt: Date;
}

export function toUserView(u: User): UserView {
  return {
    id: u.id,
    email: u.email,
    role: u.role,
    name: u.name,
    clientId: u.clientId,
    active: u.active,
    createdAt: u.createdAt,
  };
}

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(Client) private readonly clients: Repository<Client>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly userStates: UserStates,
  ) {}

  /** The first admin comes from ADMIN_EMAIL / ADMIN_PASSWORD, created only while no admin exists. */
  async onApplicationBootstrap(): Promise<void> {
    const { adminEmail, adminPassword } = this.config;
    if (!adminEmail || !adminPassword) return;
    if ((await this.users.countBy({ role: 'admin' })) > 0) return;
    if (await this.users.existsBy({ email: adminEmail })) {
      this.logger.warn(`ADMIN_EMAIL ${adminEmail} belongs to a non-admin user; no admin created`);
      return;
    }
    // Several instances may start at once: the first insert wins, the others change nothing.
    const result = await this.users
      .createQueryBuilder()
      .insert()
      .values({
        email: adminEmail,
        passwordHash: await hashPassword(adminPassword),
        role: 'admin',
        name: 'Administrator',
      })
      .orIgnore()
      .execute();
    if (result.identifiers.some((i) => i !== undefined))
      this.logger.log(`First admin ${adminEmail} created`);
  }

  async create(dto: CreateUserDto): Promise<UserView> {
    const email = dto.email.toLowerCase();
    if (dto.role !== 'client' && dto.clientId) {
      throw new AppError('invalid', 'Only client users belong to a client', [
        { field: 'clientId', message: `must be empty for role ${dto.role}` },
      ]);
    }
    if (dto.role === 'client' && !(await this.clients.existsBy({ id: dto.clientId }))) {
      throw new AppError('invalid', 'Unknown client', [
        { field: 'clientId', message: 'no such client' },
      ]);
    }
    if (await this.users.existsBy({ email })) {
      throw new AppError('conflict', 'A user with this email exists', [
        { field: 'email', message: 'already in use' },
      ]);
    }
    const user = this.users.create({
      email,
      passwordHash: await hashPassword(dto.password),
      role: dto.role,
      name: dto.name ?? null,
      clientId: dto.role === 'client' ? dto.clientId! : null,
    });
    await this.users.insert(user);
    return toUserView(await this.users.findOneByOrFail({ id: user.id }));
  }

  async list(query: ListUsersQuery): Promise<UserView[]> {
    const rows = await this.users.find({
      where: { role: query.role, clientId: query.clientId },
      order: { email: 'ASC' },
    });
    return rows.map(toUserView);
  }

  async get(id: string): Promise<UserView> {
    const u = await this.users.findOneBy({ id });
    if (!u) throw AppError.notFound('User');
    return toUserView(u);
  }

  async update(id: string, dto: UpdateUserDto): Promise<UserView> {
    const u = await this.users.findOneBy({ id });
    if (!u) throw AppError.notFound('User');
    const patch: Partial<User> = {};
    if (dto.name !== undefined) patch.name = dto.name;
    if (dto.active !== undefined) patch.active = dto.active;
    if (dto.password !== undefined) patch.passwordHash = await hashPassword(dto.password);
    if (Object.keys(patch).length > 0) {
      // A new password or a deactivation ends every session: the tokens made before stop working.
      const ends = dto.password !== undefined || (dto.active === false && u.active);
      await this.users.manager.transaction(async (m) => {
        await m.update(
          User,
          { id },
          ends ? { ...patch, tokenVersion: () => 'token_version + 1' } : patch,
        );
        // A deactivated caller's held contact goes back to the queue now, not when its lease
        // runs out (a call already on the line ends as calls do: at the cap, then the wrap-up).
        if (dto.active === false && u.active && u.role === 'caller') await releaseLeases(m, id);
      });
      this.userStates.forget(id);
    }
    return this.get(id);
  }
}
