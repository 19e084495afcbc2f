import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';
import { RollupsModule } from './rollups.module';

@Module({
  imports: [ClientsModule, RollupsModule],
  controllers: [ReportsController],
  providers: [ReportsService],
  exports: [RollupsModule],
})
export class ReportsModule {}
