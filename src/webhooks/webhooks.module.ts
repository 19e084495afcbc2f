import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { DeliveryWorker } from './delivery-worker';
import { JobQueue } from './job-queue';
import { WebhookOutbox } from './outbox';
import { WebhooksController, WebhooksService } from './webhooks.controller';

@Module({
  imports: [ClientsModule],
  controllers: [WebhooksController],
  providers: [JobQueue, WebhookOutbox, DeliveryWorker, WebhooksService],
  exports: [WebhookOutbox, JobQueue, DeliveryWorker],
})
export class WebhooksModule {}
