import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { CallsController } from './calls.controller';
import { CallsService } from './calls.service';
import { DialingService } from './dialing.service';
import { SimulatedPhoneController } from './simulated-phone.controller';

@Module({
  imports: [CampaignsModule],
  controllers: [CallsController, SimulatedPhoneController],
  providers: [CallsService, DialingService],
})
export class CallsModule {}
