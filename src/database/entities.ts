import { LoginFailure } from '../auth/login-failure.entity';
import { LoginKnownContext } from '../auth/login-known-context.entity';
import { User } from '../auth/user.entity';
import { ApiKey } from '../clients/api-key.entity';
import { ClientManager } from '../clients/client-manager.entity';
import { Client } from '../clients/client.entity';
import { SalesRep } from '../clients/sales-rep.entity';
import { CallEventRow } from '../calls/call-event.entity';
import { Call } from '../calls/call.entity';
import { CallerStateInterval } from '../calls/caller-state.entity';
import { CampaignCaller } from '../campaigns/campaign-caller.entity';
import { Campaign } from '../campaigns/campaign.entity';
import { ContactImport } from '../campaigns/contact-import.entity';
import { Contact } from '../campaigns/contact.entity';
import { DncExtract } from '../campaigns/dnc-extract.entity';
import { DncNumber } from '../campaigns/dnc-number.entity';
import { ReferralEvent } from '../referrals/referral-event.entity';
import {
  ReportCallerDay,
  ReportCampaignCallerDay,
  ReportCampaignDay,
  ReportDaily,
  ReportFollowup,
  ReportMonthly,
} from '../reports/rollup.entities';
import { Referral } from '../referrals/referral.entity';
import { WebhookAttempt } from '../webhooks/webhook-attempt.entity';
import { WebhookDelivery } from '../webhooks/webhook-delivery.entity';
import { WebhookEndpoint } from '../webhooks/webhook-endpoint.entity';

/** Every entity of the service; the data source, the migration runner and tests share this list. */
export const ENTITIES = [
  User,
  LoginFailure,
  LoginKnownContext,
  Client,
  ClientManager,
  SalesRep,
  ApiKey,
  Campaign,
  CampaignCaller,
  Contact,
  ContactImport,
  DncNumber,
  DncExtract,
  Call,
  CallEventRow,
  CallerStateInterval,
  Referral,
  ReferralEvent,
  WebhookEndpoint,
  WebhookDelivery,
  WebhookAttempt,
  ReportDaily,
  ReportFollowup,
  ReportCallerDay,
  ReportCampaignCallerDay,
  ReportCampaignDay,
  ReportMonthly,
];
