import { Module } from '@nestjs/common';
import { ReportsModule } from '../reports/reports.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { CallsController } from './calls.controller';
import { CallsService } from './calls.service';
import { DialingService } from './dialing.service';
import { SimulatedPhoneController } from './simulated-phone.controller';
import { CallReconciler } from './telephony/call-reconciler';
import { CapEnforcer } from './telephony/cap-enforcer';
import { SimulatedPhone } from './telephony/simulated-phone.service';
import { Telephony } from './telephony/telephony';
import { TelephonyEvents } from './telephony/telephony-events.service';
import { TelephonyTokenController } from './telephony/token.controller';
import { TwilioWebhooksController } from './telephony/twilio-webhooks.controller';

@Module({
  imports: [CampaignsModule, ReferralsModule, ReportsModule],
  controllers: [
    CallsController,
    SimulatedPhoneController,
    TelephonyTokenController,
    TwilioWebhooksController,
  ],
  providers: [
    CallsService,
    DialingService,
    Telephony,
    TelephonyEvents,
    SimulatedPhone,
    CapEnforcer,
    CallReconciler,
  ],
  exports: [Telephony],
})
export class CallsModule {}
