import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, IsNull, Repository } from 'typeorm';
import { newApiKey } from '../auth/api-key-format';
import type { Principal } from '../auth/roles';
import { User } from '../auth/user.entity';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { ApiKey } from './api-key.entity';
import { ClientManager } from './client-manager.entity';
import { Client } from './client.entity';
import type { CreateClientDto, UpdateClientDto } from './dto/create-client.dto';
import type { CreateRepDto, UpdateRepDto } from './dto/rep.dto';
import { SalesRep } from './sales-rep.entity';
import { TenantAccess } from './tenant-access';
import { RollupsService } from '../reports/rollups.service';

export interface ManagerView {
  id: string;
  email: string;
  name: string | null;
}
export interface ClientView {
  id: string;
  name: string;
  timezone: string;
  createdAt: Date;
}
export interface ClientDetailView extends ClientView {
  managers: ManagerView[];
}
export interface ApiKeyView {
  id: string;
  name: string | null;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const clientView = (c: Client): ClientView => ({
  id: c.id,
  name: c.name,
  timezone: c.timezone,
  createdAt: c.createdAt,
});
const apiKeyView = (k: ApiKey): ApiKeyView => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  createdAt: k.createdAt,
  lastUsedAt: k.lastUsedAt,
  revokedAt: k.revokedAt,
});

@Injectable()
export class ClientsService {
  constructor(
    private readonly db: DataSource,
    private readonly tenants: TenantAccess,
    private readonly clock: Clock,
    @InjectRepository(Client) private readonly clients: Repository<Client>,
    @InjectRepository(SalesRep) private readonly reps: Repository<SalesRep>,
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly rollups: RollupsService,
  ) {}

  /** An account manager who creates a client is assigned to it, in the same transaction. */
  async create(p: Principal, dto: CreateClientDto): Promise<ClientView> {
    const client = await this.db.transaction(async (tx) => {
      const c = tx.create(Client, { name: dto.name.trim(), timezone: dto.timezone });
      await tx.save(c);
      if (p.kind === 'user' && p.role === 'account_manager') {
        await tx.insert(ClientManager, { clientId: c.id, userId: p.userId });
      }
      return tx.findOneByOrFail(Client, { id: c.id });
    });
    return clientView(client);
  }

  async list(p: Principal): Promise<ClientView[]> {
    const scope = await this.tenants.scopeOf(p);
    const rows = await this.clients.find({
      where: scope.all ? {} : { id: In(scope.ids) },
      order: { name: 'ASC', id: 'ASC' },
    });
    return rows.map(clientView);
  }

  async get(p: Principal, id: string): Promise<ClientDetailView> {
    await this.tenants.assertClient(p, id);
    const c = await this.clients.findOneByOrFail({ id });
    return { ...clientView(c), managers: await this.managersOf(id) };
  }

  async update(p: Principal, id: string, dto: UpdateClientDto): Promise<ClientDetailView> {
    await this.tenants.assertClient(p, id);
    const patch: Partial<Client> = {};
    if (dto.name !== undefined) patch.name = dto.name.trim();
    if (dto.timezone !== undefined) patch.timezone = dto.timezone;
    if (Object.keys(patch).length > 0) {
      await this.db.transaction(async (m) => {
        // Outcomes of the client wait until the new zone is in (and the ones under way end first).
        if (patch.timezone !== undefined) await this.rollups.holdClientDays(m, id);
        const [before]: { timezone: string }[] = await m.query(
          'SELECT timezone FROM clients WHERE id = $1 FOR NO KEY UPDATE',
          [id],
        );
        await m.update(Client, { id }, patch);
        // The reports keep the client's calls by day in its zone: a new zone moves them.
        if (patch.timezone !== undefined && patch.timezone !== before.timezone) {
          await this.rollups.rebuildClient(m, id);
        }
      });
    }
    return this.get(p, id);
  }

  /** Replaces the client's account managers; every id must be an active account manager. */
  async setManagers(p: Principal, id: string, userIds: string[]): Promise<ClientDetailView> {
    await this.tenants.assertClient(p, id);
    await this.db.transaction(async (tx) => {
      const found = userIds.length
        ? await tx.find(User, { where: { id: In(userIds), role: 'account_manager', active: true } })
        : [];
      const bad = userIds.filter((u) => !found.some((f) => f.id === u));
      if (bad.length > 0) {
        throw new AppError(
          'invalid',
          'Only account managers can be assigned to a client',
          bad.map((u) => ({ field: 'userIds', message: `${u} is not an account manager` })),
        );
      }
      await tx.delete(ClientManager, { clientId: id });
      if (userIds.length)
        await tx.insert(
          ClientManager,
          userIds.map((userId) => ({ clientId: id, userId })),
        );
    });
    return this.get(p, id);
  }

  private async managersOf(clientId: string): Promise<ManagerView[]> {
    return this.db.query(
      `SELECT u.id, u.email, u.name FROM client_managers m JOIN users u ON u.id = m.user_id
        WHERE m.client_id = $1 ORDER BY u.email`,
      [clientId],
    );
  }

  // --- sales reps -------------------------------------------------------------------------

  async listReps(p: Principal, clientId: string): Promise<SalesRep[]> {
    await this.tenants.assertClient(p, clientId);
    return this.reps.find({ where: { clientId }, order: { name: 'ASC', id: 'ASC' } });
  }

  async createRep(p: Principal, clientId: string, dto: CreateRepDto): Promise<SalesRep> {
    await this.tenants.assertClient(p, clientId);
    const email = dto.email.toLowerCase();
    await this.assertRepEmailFree(clientId, email);
    const rep = this.reps.create({
      clientId,
      name: dto.name.trim(),
      email,
      specialties: dedupe(dto.specialties ?? []),
      territories: dedupe(dto.territories ?? []),
      available: dto.available ?? true,
      isDefault: false,
    });
    await this.reps.save(rep);
    if (dto.isDefault) await this.makeDefault(clientId, rep.id);
    return this.reps.findOneByOrFail({ id: rep.id });
  }

  async updateRep(
    p: Principal,
    clientId: string,
    repId: string,
    dto: UpdateRepDto,
  ): Promise<SalesRep> {
    await this.tenants.assertClient(p, clientId);
    const rep = await this.reps.findOneBy({ id: repId, clientId });
    if (!rep) throw AppError.notFound('Sales rep');
    const patch: Partial<SalesRep> = {};
    if (dto.name !== undefined) patch.name = dto.name.trim();
    if (dto.email !== undefined && dto.email.toLowerCase() !== rep.email) {
      patch.email = dto.email.toLowerCase();
      await this.assertRepEmailFree(clientId, patch.email);
    }
    if (dto.specialties !== undefined) patch.specialties = dedupe(dto.specialties);
    if (dto.territories !== undefined) patch.territories = dedupe(dto.territories);
    if (dto.available !== undefined) patch.available = dto.available;
    if (Object.keys(patch).length > 0) await this.reps.update({ id: repId, clientId }, patch);
    if (dto.isDefault === true) await this.makeDefault(clientId, repId);
    if (dto.isDefault === false)
      await this.reps.update({ id: repId, clientId }, { isDefault: false });
    return this.reps.findOneByOrFail({ id: repId });
  }

  /** One default rep per client: the new one replaces the old in one transaction. */
  private async makeDefault(clientId: string, repId: string): Promise<void> {
    await this.reps.manager.transaction(async (m) => {
      await m.query(
        'UPDATE sales_reps SET is_default = false WHERE client_id = $1 AND is_default',
        [clientId],
      );
      await m.query('UPDATE sales_reps SET is_default = true WHERE id = $1', [repId]);
    });
  }

  private async assertRepEmailFree(clientId: string, email: string): Promise<void> {
    if (await this.reps.existsBy({ clientId, email })) {
      throw new AppError('conflict', 'This client already has a rep with this email', [
        { field: 'email', message: 'already in use for this client' },
      ]);
    }
  }

  // --- API keys ---------------------------------------------------------------------------

  async listApiKeys(p: Principal, clientId: string): Promise<ApiKeyView[]> {
    await this.tenants.assertClient(p, clientId);
    const rows = await this.keys.find({
      where: { clientId },
      order: { createdAt: 'DESC', id: 'ASC' },
    });
    return rows.map(apiKeyView);
  }

  /** The key is returned here and never again: only its hash is kept. */
  async createApiKey(
    p: Principal,
    clientId: string,
    name: string | undefined,
  ): Promise<ApiKeyView & { key: string }> {
    await this.tenants.assertClient(p, clientId);
    const { key, prefix, hash } = newApiKey();
    const row = this.keys.create({
      clientId,
      name: name?.trim() ?? null,
      prefix,
      keyHash: hash,
      createdBy: p.kind === 'user' ? p.userId : null,
    });
    await this.keys.insert(row);
    const saved = await this.keys.findOneByOrFail({ id: row.id });
    return { ...apiKeyView(saved), key };
  }

  /** Revoking is immediate and final; revoking a revoked key changes nothing. */
  async revokeApiKey(p: Principal, clientId: string, keyId: string): Promise<ApiKeyView> {
    await this.tenants.assertClient(p, clientId);
    await this.keys.update(
      { id: keyId, clientId, revokedAt: IsNull() },
      { revokedAt: this.clock.now() },
    );
    const key = await this.keys.findOneBy({ id: keyId, clientId });
    if (!key) throw AppError.notFound('API key');
    return apiKeyView(key);
  }
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}
