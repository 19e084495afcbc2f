import { Module } from '@nestjs/common';
import { CallerStatesRepository } from '../calls/caller-states.repository';
import { ClientsModule } from '../clients/clients.module';
import { CallerTimeReport } from './caller-time';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';
import { RollupsModule } from './rollups.module';

@Module({
  imports: [ClientsModule, RollupsModule],
  controllers: [ReportsController],
  providers: [ReportsService, CallerTimeReport, CallerStatesRepository],
  exports: [RollupsModule],
})
export class ReportsModule {}
