import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import type { Principal } from '../auth/roles';
import { User } from '../auth/user.entity';
import { Client } from '../clients/client.entity';
import { TenantAccess } from '../clients/tenant-access';
import { AppError } from '../common/app-error';
import { isValidWindow, narrowsLegalWindow } from './calling-hours';
import { CampaignCaller } from './campaign-caller.entity';
import { activationProblems, canTransition, withKeys } from './campaign-rules';
import { Campaign, type Variant } from './campaign.entity';
import { DEFAULT_SCORE_WEIGHTS, validateWeights } from '../referrals/score';
import type { CampaignFieldsDto, CreateCampaignDto, UpdateCampaignDto } from './dto/campaign.dto';

export interface CampaignView {
  id: string;
  clientId: string;
  name: string;
  product: string | null;
  script: string;
  pitches: Campaign['pitches'];
  offers: Campaign['offers'];
  talkCapSeconds: number;
  extendedCapSeconds: number;
  extendAllowancePct: number;
  recordCalls: boolean;
  reviewSamplePct: number;
  scoreWeights: Record<string, number>;
  callingWindow: { start: string; end: string };
  maxAttempts: number;
  minRetryMinutes: number;
  previewSeconds: number;
  callerId: string | null;
  kind: Campaign['kind'];
  defaultCountry: string;
  status: Campaign['status'];
  callerIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

/**
 * What a client user sees of a campaign of theirs: what it sells and how, and when it calls;
 * none of the agency's internals (its callers, caller ID, caps, score weights, script, review
 * sample and the rest).
 */
export interface ClientCampaignView {
  id: string;
  name: string;
  product: string | null;
  status: Campaign['status'];
  kind: Campaign['kind'];
  pitches: Variant[];
  offers: Variant[];
  callingWindow: { start: string; end: string };
  createdAt: Date;
}

function clientView(v: CampaignView): ClientCampaignView {
  const variant = ({ key, name, text }: Variant): Variant => ({ key, name, text });
  return {
    id: v.id,
    name: v.name,
    product: v.product,
    status: v.status,
    kind: v.kind,
    pitches: v.pitches.map(variant),
    offers: v.offers.map(variant),
    callingWindow: v.callingWindow,
    createdAt: v.createdAt,
  };
}

function isClientUser(p: Principal): boolean {
  return p.kind === 'user' && p.role === 'client';
}

@Injectable()
export class CampaignsService {
  constructor(
    private readonly db: DataSource,
    private readonly tenants: TenantAccess,
    @InjectRepository(Campaign) private readonly campaigns: Repository<Campaign>,
    @InjectRepository(CampaignCaller) private readonly callers: Repository<CampaignCaller>,
  ) {}

  /**
   * The campaign if the principal may see it, else 404: staff and client users by client scope,
   * callers only the campaigns they are assigned to.
   */
  async findVisible(p: Principal, id: string): Promise<Campaign> {
    const c = await this.campaigns.findOneBy({ id });
    if (!c) throw AppError.notFound('Campaign');
    if (p.kind === 'user' && p.role === 'caller') {
      if (!(await this.callers.existsBy({ campaignId: id, userId: p.userId })))
        throw AppError.notFound('Campaign');
    } else if (!(await this.tenants.canSee(p, c.clientId))) {
      throw AppError.notFound('Campaign');
    }
    return c;
  }

  async create(p: Principal, dto: CreateCampaignDto): Promise<CampaignView> {
    await this.tenants.assertClient(p, dto.clientId);
    const c = this.campaigns.create({ clientId: dto.clientId, status: 'draft' });
    this.apply(c, dto);
    await this.campaigns.save(c);
    return this.view(await this.campaigns.findOneByOrFail({ id: c.id }));
  }

  /** The campaigns the principal may see; a client user gets the client's view of each. */
  async list(p: Principal, clientId?: string): Promise<CampaignView[] | ClientCampaignView[]> {
    let rows: Campaign[];
    if (p.kind === 'user' && p.role === 'caller') {
      const assigned = await this.callers.findBy({ userId: p.userId });
      rows = await this.campaigns.find({
        where: { id: In(assigned.map((a) => a.campaignId)), ...(clientId ? { clientId } : {}) },
        order: { name: 'ASC' },
      });
    } else {
      const scope = await this.tenants.scopeOf(p);
      const ids = scope.all ? undefined : scope.ids;
      const where =
        clientId !== undefined
          ? ids && !ids.includes(clientId)
            ? null
            : { clientId }
          : ids
            ? { clientId: In(ids) }
            : {};
      rows = where ? await this.campaigns.find({ where, order: { name: 'ASC' } }) : [];
    }
    if (isClientUser(p)) return rows.map((r) => clientView(this.toView(r, new Map())));
    return this.views(rows);
  }

  /** One campaign the principal may see; a client user gets the client's view. */
  async get(p: Principal, id: string): Promise<CampaignView | ClientCampaignView> {
    const c = await this.findVisible(p, id);
    if (isClientUser(p)) return clientView(this.toView(c, new Map()));
    return this.view(c);
  }

  /** Field changes and status changes; activation is refused (409) with every missing piece named. */
  async update(p: Principal, id: string, dto: UpdateCampaignDto): Promise<CampaignView> {
    return this.db.transaction(async (tx) => {
      await this.findVisible(p, id);
      const c = await tx.findOneOrFail(Campaign, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (c.status === 'closed' && Object.keys(dto).length > 0) {
        throw new AppError('conflict', 'A closed campaign cannot be changed');
      }
      this.apply(c, dto);
      if (dto.status && dto.status !== c.status) {
        if (!canTransition(c.status, dto.status)) {
          throw new AppError('conflict', `A campaign cannot go from ${c.status} to ${dto.status}`, [
            { field: 'status', message: `not allowed from ${c.status}` },
          ]);
        }
        c.status = dto.status;
      }
      // What activation asks for holds as long as the campaign is active: checked when it goes
      // active, and when the script or the caller ID of a campaign that stays active changes.
      const staysActive = c.status === 'active' && dto.status !== 'active';
      if (
        c.status === 'active' &&
        (!staysActive || dto.script !== undefined || dto.callerId !== undefined)
      ) {
        const client = await tx.findOneByOrFail(Client, { id: c.clientId });
        const callerCount = await tx.countBy(CampaignCaller, { campaignId: id });
        const problems = activationProblems({
          script: c.script,
          clientName: client.name,
          callerId: c.callerId,
          callerCount,
        });
        if (problems.length > 0) {
          throw new AppError(
            'conflict',
            staysActive
              ? `An active campaign must keep what it went active with: ${problems.join('; ')}`
              : `The campaign cannot go active: ${problems.join('; ')}`,
            problems.map((message) => ({
              field: staysActive ? fieldOf(message) : 'status',
              message,
            })),
          );
        }
      }
      await tx.save(c);
      return this.toView(c, await this.callerIdsOf([id], tx.getRepository(CampaignCaller)));
    });
  }

  /** Replaces the callers of a campaign; every id must be an active caller. */
  async setCallers(p: Principal, id: string, callerIds: string[]): Promise<CampaignView> {
    const c = await this.findVisible(p, id);
    const unique = [...new Set(callerIds)];
    await this.db.transaction(async (tx) => {
      const found = unique.length
        ? await tx.findBy(User, { id: In(unique), role: 'caller', active: true })
        : [];
      const bad = unique.filter((u) => !found.some((f) => f.id === u));
      if (bad.length) {
        throw new AppError(
          'invalid',
          'Only active callers can work a campaign',
          bad.map((u) => ({ field: 'callerIds', message: `${u} is not an active caller` })),
        );
      }
      if (unique.length === 0) {
        const [row]: { status: string }[] = await tx.query(
          'SELECT status FROM campaigns WHERE id = $1 FOR UPDATE',
          [id],
        );
        if (row.status === 'active') {
          throw new AppError(
            'conflict',
            'An active campaign keeps at least one caller; pause it first',
            [{ field: 'callerIds', message: 'an active campaign needs at least one caller' }],
          );
        }
      }
      await tx.delete(CampaignCaller, { campaignId: id });
      if (unique.length) {
        await tx.insert(
          CampaignCaller,
          unique.map((userId) => ({ campaignId: id, userId, clientId: c.clientId })),
        );
      }
      // A caller taken off the campaign loses the contact they hold and have not dialed, now:
      // it goes back to the queue, and no outcome (nor referral) can be recorded on it any more.
      // A call already dialed is theirs to finish: its wrap-up and outcome are kept.
      await tx.query(
        `WITH ended AS (
           UPDATE calls SET state = 'released'
            WHERE state = 'leased' AND campaign_id = $1 AND caller_id <> ALL($2::uuid[])
           RETURNING contact_id, caller_id
         )
         UPDATE contacts c SET leased_to = NULL, lease_expires_at = NULL
           FROM ended e WHERE c.id = e.contact_id AND c.leased_to = e.caller_id`,
        [id, unique],
      );
    });
    return this.view(await this.campaigns.findOneByOrFail({ id }));
  }

  private apply(c: Campaign, dto: CampaignFieldsDto): void {
    if (dto.name !== undefined) c.name = dto.name.trim();
    if (dto.product !== undefined) c.product = dto.product.trim() || null;
    if (dto.script !== undefined) c.script = dto.script;
    if (dto.pitches !== undefined) c.pitches = withKeys(dto.pitches);
    if (dto.offers !== undefined) c.offers = withKeys(dto.offers);
    if (dto.talkCapSeconds !== undefined) c.talkCapSeconds = dto.talkCapSeconds;
    if (dto.extendedCapSeconds !== undefined) c.extendedCapSeconds = dto.extendedCapSeconds;
    if (dto.extendAllowancePct !== undefined) c.extendAllowancePct = dto.extendAllowancePct;
    if (dto.recordCalls !== undefined) c.recordCalls = dto.recordCalls;
    if (dto.reviewSamplePct !== undefined) c.reviewSamplePct = dto.reviewSamplePct;
    if (dto.scoreWeights !== undefined) {
      const problems = dto.scoreWeights === null ? [] : validateWeights(dto.scoreWeights);
      if (problems.length) {
        throw new AppError(
          'invalid',
          'Invalid score weights',
          problems.map((message) => ({ field: 'scoreWeights', message })),
        );
      }
      c.scoreWeights = dto.scoreWeights;
    }
    if (dto.maxAttempts !== undefined) c.maxAttempts = dto.maxAttempts;
    if (dto.minRetryMinutes !== undefined) c.minRetryMinutes = dto.minRetryMinutes;
    if (dto.previewSeconds !== undefined) c.previewSeconds = dto.previewSeconds;
    if (dto.callerId !== undefined) c.callerId = dto.callerId;
    if (dto.kind !== undefined) c.kind = dto.kind;
    if (dto.defaultCountry !== undefined) c.defaultCountry = dto.defaultCountry;
    if (dto.callingWindow !== undefined) {
      const w = dto.callingWindow;
      if (!isValidWindow(w) || !narrowsLegalWindow(w)) {
        throw new AppError('invalid', 'The calling window may only narrow 08:00–21:00', [
          { field: 'callingWindow', message: 'must satisfy 08:00 <= start < end <= 21:00' },
        ]);
      }
      c.windowStart = w.start;
      c.windowEnd = w.end;
    }
    const talkCap = c.talkCapSeconds ?? 300;
    const extendedCap = c.extendedCapSeconds ?? 600;
    if (extendedCap < talkCap) {
      throw new AppError('invalid', 'The extended cap cannot be shorter than the talk cap', [
        { field: 'extendedCapSeconds', message: `must be at least talkCapSeconds (${talkCap})` },
      ]);
    }
  }

  private async views(rows: Campaign[]): Promise<CampaignView[]> {
    const callers = await this.callerIdsOf(
      rows.map((r) => r.id),
      this.callers,
    );
    return rows.map((r) => this.toView(r, callers));
  }

  private async view(c: Campaign): Promise<CampaignView> {
    return this.toView(c, await this.callerIdsOf([c.id], this.callers));
  }

  private toView(c: Campaign, callers: Map<string, string[]>): CampaignView {
    return {
      id: c.id,
      clientId: c.clientId,
      name: c.name,
      product: c.product,
      script: c.script,
      pitches: c.pitches,
      offers: c.offers,
      talkCapSeconds: c.talkCapSeconds,
      extendedCapSeconds: c.extendedCapSeconds,
      extendAllowancePct: c.extendAllowancePct,
      recordCalls: c.recordCalls,
      reviewSamplePct: c.reviewSamplePct,
      scoreWeights: c.scoreWeights ?? { ...DEFAULT_SCORE_WEIGHTS },
      callingWindow: { start: c.windowStart, end: c.windowEnd },
      maxAttempts: c.maxAttempts,
      minRetryMinutes: c.minRetryMinutes,
      previewSeconds: c.previewSeconds,
      callerId: c.callerId,
      kind: c.kind,
      defaultCountry: c.defaultCountry,
      status: c.status,
      callerIds: callers.get(c.id) ?? [],
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    };
  }

  private async callerIdsOf(
    ids: string[],
    repo: Repository<CampaignCaller>,
  ): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>();
    if (!ids.length) return map;
    for (const row of await repo.find({
      where: { campaignId: In(ids) },
      order: { userId: 'ASC' },
    })) {
      map.set(row.campaignId, [...(map.get(row.campaignId) ?? []), row.userId]);
    }
    return map;
  }
}

/** The field an activation problem is about (for the error's details). */
function fieldOf(problem: string): string {
  if (problem.includes('script')) return 'script';
  if (problem.includes('caller ID')) return 'callerId';
  return 'status';
}
