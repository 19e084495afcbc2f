import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { CallsController } from './calls.controller';
import { CallsService } from './calls.service';

@Module({
  imports: [CampaignsModule],
  controllers: [CallsController],
  providers: [CallsService],
})
export class CallsModule {}
