import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientsModule } from '../clients/clients.module';
import { AutoDialCheck } from './auto-dial-check';
import { CampaignCaller } from './campaign-caller.entity';
import { Campaign } from './campaign.entity';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';
import { ConsentController } from './consent.controller';
import { ConsentService } from './consent.service';
import { ContactQueue } from './contact-queue';
import { DncController } from './dnc.controller';
import { DncService } from './dnc.service';
import { ImportsService } from './imports.service';

@Module({
  imports: [ClientsModule, TypeOrmModule.forFeature([Campaign, CampaignCaller])],
  controllers: [CampaignsController, DncController, ConsentController],
  providers: [
    CampaignsService,
    ImportsService,
    DncService,
    ContactQueue,
    AutoDialCheck,
    ConsentService,
  ],
  exports: [CampaignsService, ImportsService, DncService, ContactQueue, AutoDialCheck],
})
export class CampaignsModule {}
