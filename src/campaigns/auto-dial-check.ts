import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type AutoDialAnswer, mayAutoDial, stateOfZip } from './auto-dial';
import type { CampaignKind } from './campaign.entity';
import { areaCodeStates, stateOfAreaCode } from './time-zones';

/**
 * mayAutoDial for a contact row as SQL returns it: looks up its area code's state in the table
 * read once at start (so an answer needs no I/O) and its ZIP's, then applies the rule.
 */
@Injectable()
export class AutoDialCheck implements OnModuleInit {
  private states: ReadonlyMap<string, string> | undefined;

  async onModuleInit(): Promise<void> {
    this.states = await areaCodeStates();
  }

  /**
   * For a `contacts` row (as the claim and the held lease select it): reads `phone`, `state`,
   * `zip`, `country`, `written_consent_at` and `written_consent_source`.
   */
  of(row: Readonly<Record<string, unknown>>, campaign: { kind: CampaignKind }): AutoDialAnswer {
    if (!this.states) throw new Error('AutoDialCheck used before the module started');
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    const consentAt = row.written_consent_at;
    return mayAutoDial(
      {
        state: text(row.state),
        phoneState: stateOfAreaCode(this.states, text(row.phone) ?? ''),
        zipState: stateOfZip(text(row.zip), text(row.country)),
        writtenConsentAt: consentAt instanceof Date ? consentAt : text(consentAt),
        writtenConsentSource: text(row.written_consent_source),
      },
      campaign,
    );
  }
}
