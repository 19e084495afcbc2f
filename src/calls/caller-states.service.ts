import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/roles';
import { TenantAccess } from '../clients/tenant-access';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { DeclaredState, PauseReason } from './caller-state.entity';
import { type CallerStateNow, callerStateNow, stretchEnd } from './caller-states';
import { CallerStatesRepository } from './caller-states.repository';

/** A caller on the managers' floor: who, and their state now. */
export interface FloorCaller extends CallerStateNow {
  callerId: string;
  name: string | null;
  email: string;
}

export interface Floor {
  /** The server's time of the answer (pages show "for 3:12" from it). */
  at: Date;
  callers: FloorCaller[];
}

/**
 * The caller's state on the server: what they declare (ready, paused with a reason; the console
 * says it on every change and every 30 s), kept as stretches with their start and end; and
 * their state now, with the call's own states (on a call, wrap-up) over it and signed out after
 * 90 s of silence (callerStateNow).
 */
@Injectable()
export class CallerStatesService {
  constructor(
    private readonly db: DataSource,
    private readonly repo: CallerStatesRepository,
    private readonly clock: Clock,
    private readonly tenants: TenantAccess,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Ready or paused: the same state again (a heartbeat) refreshes the caller's last word; a
   * change ends the current stretch now and opens the next. A stretch already over by silence
   * ends when the silence began to count (stretchEnd), and the gap since is signed out.
   */
  async declare(
    p: Principal,
    state: DeclaredState,
    reason: PauseReason | undefined,
  ): Promise<CallerStateNow> {
    const userId = callerOf(p);
    // Paused with no reason is the console right after sign-in: present, working by hand, not
    // yet Ready (the floor shows it as paused with no reason).
    if (state === 'ready' && reason) {
      throw new AppError('invalid', 'A reason goes with paused only', [
        { field: 'reason', message: 'only with paused' },
      ]);
    }
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      await this.repo.lockCaller(m, userId);
      const open = await this.repo.openStretch(m, userId);
      if (open) {
        const end = stretchEnd(open, await this.repo.latestCall(m, userId), this.wrapUp);
        if (end.getTime() > now.getTime()) {
          if (open.state === state && open.reason === (reason ?? null)) {
            await this.repo.heardFrom(m, open.id, now);
            return;
          }
          await this.repo.closeStretch(m, open.id, now);
        } else {
          await this.repo.closeStretch(m, open.id, end);
        }
      }
      await this.repo.openNew(m, userId, state, reason ?? null, now);
    });
    return this.now(userId);
  }

  /** Signs the caller out now (the console's sign-out), rather than after 90 s of silence. */
  async signOut(p: Principal): Promise<void> {
    const userId = callerOf(p);
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      await this.repo.lockCaller(m, userId);
      const open = await this.repo.openStretch(m, userId);
      if (!open) return;
      const end = stretchEnd(open, await this.repo.latestCall(m, userId), this.wrapUp);
      await this.repo.closeStretch(m, open.id, end.getTime() < now.getTime() ? end : now);
    });
  }

  /** The signed-in caller's own state now. */
  async mine(p: Principal): Promise<CallerStateNow> {
    return this.now(callerOf(p));
  }

  /**
   * Every caller's state now, for the managers' floor: all active callers for an admin, the
   * callers of the account manager's clients' campaigns for one.
   */
  async floor(p: Principal): Promise<Floor> {
    const scope = await this.tenants.scopeOf(p);
    const now = this.clock.now();
    const rows = await this.repo.floor(scope.all ? null : scope.ids);
    return {
      at: now,
      callers: rows.map((r) => ({
        callerId: r.callerId,
        name: r.name,
        email: r.email,
        ...callerStateNow(r.stretch, r.call, now, this.wrapUp),
      })),
    };
  }

  private async now(userId: string): Promise<CallerStateNow> {
    const now = this.clock.now();
    const [row] = await this.repo.floor(null, userId);
    if (!row) throw AppError.notFound('Caller');
    return callerStateNow(row.stretch, row.call, now, this.wrapUp);
  }

  private get wrapUp(): number {
    return this.config.wrapUpSeconds;
  }
}

function callerOf(p: Principal): string {
  if (p.kind !== 'user' || p.role !== 'caller') {
    throw new AppError('forbidden', 'Only callers have a caller state');
  }
  return p.userId;
}
