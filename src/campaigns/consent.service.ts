import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/roles';
import { TenantAccess } from '../clients/tenant-access';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';

/** A contact's recorded prior express written consent (both null = none). */
export interface WrittenConsentView {
  contactId: string;
  writtenConsentAt: Date | null;
  writtenConsentSource: string | null;
}

/**
 * Prior express written consent on contacts, recorded and withdrawn by the staff of the
 * contact's client (admins, its account managers); it lets the console dial contacts of states
 * that forbid automated dialing without it (see mayAutoDial).
 */
@Injectable()
export class ConsentService {
  constructor(
    private readonly db: DataSource,
    private readonly tenants: TenantAccess,
    private readonly clock: Clock,
  ) {}

  async record(
    p: Principal,
    contactId: string,
    consentAt: string,
    source: string,
  ): Promise<WrittenConsentView> {
    const at = new Date(consentAt);
    if (Number.isNaN(at.getTime())) {
      throw new AppError('invalid', 'The consent date is not a date', [
        { field: 'consentAt', message: 'must be a date' },
      ]);
    }
    if (at.getTime() > this.clock.now().getTime()) {
      throw new AppError('invalid', 'Consent must have been given already (prior consent)', [
        { field: 'consentAt', message: 'must not be in the future' },
      ]);
    }
    await this.assertVisible(p, contactId);
    return this.set(contactId, at, source.trim());
  }

  async withdraw(p: Principal, contactId: string): Promise<void> {
    await this.assertVisible(p, contactId);
    await this.set(contactId, null, null);
  }

  private async set(
    contactId: string,
    at: Date | null,
    source: string | null,
  ): Promise<WrittenConsentView> {
    const [[row]]: [{ written_consent_at: Date | null; written_consent_source: string | null }[]] =
      await this.db.query(
        `UPDATE contacts SET written_consent_at = $2, written_consent_source = $3 WHERE id = $1
         RETURNING written_consent_at, written_consent_source`,
        [contactId, at, source],
      );
    return {
      contactId,
      writtenConsentAt: row.written_consent_at,
      writtenConsentSource: row.written_consent_source,
    };
  }

  /** 404 unless the contact exists and its client is the principal's to manage. */
  private async assertVisible(p: Principal, contactId: string): Promise<void> {
    const [c]: { client_id: string }[] = await this.db.query(
      'SELECT client_id FROM contacts WHERE id = $1',
      [contactId],
    );
    if (!c || !(await this.tenants.canSee(p, c.client_id))) throw AppError.notFound('Contact');
  }
}
