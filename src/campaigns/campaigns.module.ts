import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientsModule } from '../clients/clients.module';
import { CampaignCaller } from './campaign-caller.entity';
import { Campaign } from './campaign.entity';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';
import { ContactQueue } from './contact-queue';
import { DncController } from './dnc.controller';
import { DncService } from './dnc.service';
import { ImportsService } from './imports.service';

@Module({
  imports: [ClientsModule, TypeOrmModule.forFeature([Campaign, CampaignCaller])],
  controllers: [CampaignsController, DncController],
  providers: [CampaignsService, ImportsService, DncService, ContactQueue],
  exports: [CampaignsService, ImportsService, DncService, ContactQueue],
})
export class CampaignsModule {}
