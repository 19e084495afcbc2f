import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { ContactTallies } from './contact-tallies';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';
import { RollupsService } from './rollups.service';

@Module({
  imports: [ClientsModule],
  controllers: [ReportsController],
  providers: [RollupsService, ReportsService, ContactTallies],
  exports: [RollupsService, ContactTallies],
})
export class ReportsModule {}
