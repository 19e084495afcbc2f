import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { ContactTallies } from '../../reports/contact-tallies';
import { FINAL_STATES, LIVE_STATES } from '../call-states';
import { CallReconciler } from './call-reconciler';
import { SimulatedPhone } from './simulated-phone.service';
import { Telephony } from './telephony';

/** Seconds after which an unanswered cut is asked for again (the provider may have missed it). */
const CUT_RETRY_SECONDS = 30;
/** How often the sweep folds the contact tallies (ContactTallies.compact), in seconds. */
const TALLY_COMPACT_SECONDS = 30;
/** A dial the phone never connected (no voice request) is given up after this many seconds. */
export const CONNECT_TIMEOUT_SECONDS = 120;

/**
 * The service's own cut at the talk cap, beside Twilio's `timeLimit`: every `CAP_SWEEP_SECONDS`
 * it ends, through the provider, each call on the line past its cap. Instances share the work
 * (rows taken with SKIP LOCKED, each cut marked), so two instances never cut a call twice. The
 * same tick then runs the reconciliation (CallReconciler), which closes calls whose final status
 * never arrived, and every 30 s folds the contact tallies (ContactTallies.compact).
 */
@Injectable()
export class CapEnforcer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('CapEnforcer');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private compactedAt = 0;

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly telephony: Telephony,
    private readonly simulated: SimulatedPhone,
    private readonly reconciler: CallReconciler,
    private readonly tallies: ContactTallies,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.capSweepSeconds <= 0) return;
    this.timer = setInterval(() => {
      if (!this.running) {
        this.running = this.sweep()
          .catch((e: unknown) => {
            this.log.error(`cap sweep failed: ${String(e)}`);
            return 0;
          })
          .then(() => this.reconciler.reconcile())
          .catch((e: unknown) => {
            this.log.error(`call reconciliation failed: ${String(e)}`);
            return 0;
          })
          .then(() => this.compactTallies())
          .finally(() => (this.running = null));
      }
    }, this.config.capSweepSeconds * 1000);
    this.timer.unref();
  }

  /** Every TALLY_COMPACT_SECONDS, folds the contact tallies that grew (errors are logged). */
  private async compactTallies(): Promise<number> {
    const now = Date.now();
    if (now - this.compactedAt < TALLY_COMPACT_SECONDS * 1000) return 0;
    this.compactedAt = now;
    return this.tallies.compact().catch((e: unknown) => {
      this.log.error(`contact tally compaction failed: ${String(e)}`);
      return 0;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /**
   * Ends the calls past their cap now; answers how many it asked the provider to end. Also
   * closes dials the phone never connected (state `failed`), so their wrap-up window opens and
   * the caller can record what happened; and marks `no_outcome` the calls whose wrap-up window
   * passed without an outcome, giving their contacts back to the queue (unless a newer call
   * holds them), as a late outcome would.
   */
  async sweep(): Promise<number> {
    const now = this.clock.now();
    await this.db.query(
      `UPDATE calls SET state = 'failed', ended_at = $1
        WHERE state = 'dialing' AND parent_call_sid IS NULL
          AND dialed_at <= $1::timestamptz - make_interval(secs => $2)`,
      [now, CONNECT_TIMEOUT_SECONDS],
    );
    await this.db.query(
      `WITH late AS (
         UPDATE calls SET state = 'no_outcome'
          WHERE id IN (SELECT id FROM calls
                        WHERE disposition IS NULL AND state = ANY($3::call_state[])
                          AND ended_at <= $1::timestamptz - make_interval(secs => $2)
                        ORDER BY ended_at LIMIT 500 FOR UPDATE SKIP LOCKED)
         RETURNING id, contact_id, caller_id
       )
       UPDATE contacts c SET leased_to = NULL, lease_expires_at = NULL
         FROM late
        WHERE c.id = late.contact_id AND c.leased_to = late.caller_id
          AND NOT EXISTS (SELECT 1 FROM calls o WHERE o.contact_id = c.id AND o.id <> late.id
                             AND o.state = ANY($4::call_state[]))`,
      [now, this.config.wrapUpSeconds, FINAL_STATES, ['leased', ...LIVE_STATES]],
    );
    const [due]: [{ id: string; parent_call_sid: string | null }[], number] = await this.db.query(
      `UPDATE calls SET cut_requested_at = $1
        WHERE id IN (SELECT id FROM calls
                      WHERE state = 'in_progress' AND cap_seconds IS NOT NULL
                        AND answered_at + make_interval(secs => cap_seconds) <= $1
                        AND (cut_requested_at IS NULL OR cut_requested_at <= $1 - make_interval(secs => $2))
                      ORDER BY answered_at LIMIT 200 FOR UPDATE SKIP LOCKED)
        RETURNING id, parent_call_sid`,
      [now, CUT_RETRY_SECONDS],
    );
    for (const call of due) {
      try {
        if (this.telephony.mode === 'simulated') await this.simulated.hangUpAtCap(call.id);
        else if (call.parent_call_sid) await this.telephony.endCall(call.parent_call_sid);
      } catch (e) {
        this.log.warn(`could not end call ${call.id} at its cap: ${String(e)}`);
      }
    }
    return due.length;
  }
}
