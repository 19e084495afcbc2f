import { Module } from '@nestjs/common';
import { ReportsModule } from '../reports/reports.module';
import { ClientsModule } from '../clients/clients.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { StreamLimiter } from '../common/streams';
import { ClientFeedController } from './client-feed.controller';
import { FeedService } from './feed.service';
import { ReferralsController } from './referrals.controller';
import { ReferralsService } from './referrals.service';

@Module({
  imports: [ClientsModule, WebhooksModule, ReportsModule],
  controllers: [ReferralsController, ClientFeedController],
  providers: [ReferralsService, FeedService, StreamLimiter],
  exports: [ReferralsService],
})
export class ReferralsModule {}
