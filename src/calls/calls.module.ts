import { Module } from '@nestjs/common';
import { ReportsModule } from '../reports/reports.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { ClientsModule } from '../clients/clients.module';
import { CallerStatesController } from './caller-states.controller';
import { CallerStatesRepository } from './caller-states.repository';
import { CallerStatesService } from './caller-states.service';
import { CallerInboxController } from './caller-inbox.controller';
import { CallsController } from './calls.controller';
import { CallsService } from './calls.service';
import { DialingService } from './dialing.service';
import { RecallsService } from './recalls.service';
import { SimulatedPhoneController } from './simulated-phone.controller';
import { CallReconciler } from './telephony/call-reconciler';
import { CapEnforcer } from './telephony/cap-enforcer';
import { ParentLegs } from './telephony/parent-leg';
import { SimulatedPhone } from './telephony/simulated-phone.service';
import { Telephony } from './telephony/telephony';
import { TelephonyEvents } from './telephony/telephony-events.service';
import { TelephonyTokenController } from './telephony/token.controller';
import { TwilioWebhooksController } from './telephony/twilio-webhooks.controller';

@Module({
  imports: [ClientsModule, CampaignsModule, ReferralsModule, ReportsModule],
  controllers: [
    CallsController,
    CallerInboxController,
    CallerStatesController,
    SimulatedPhoneController,
    TelephonyTokenController,
    TwilioWebhooksController,
  ],
  providers: [
    CallsService,
    DialingService,
    RecallsService,
    Telephony,
    TelephonyEvents,
    SimulatedPhone,
    CapEnforcer,
    CallReconciler,
    ParentLegs,
    CallerStatesService,
    CallerStatesRepository,
  ],
  exports: [Telephony],
})
export class CallsModule {}
