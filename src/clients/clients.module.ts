import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKey } from './api-key.entity';
import { ClientApiController } from './client-api.controller';
import { ClientManager } from './client-manager.entity';
import { Client } from './client.entity';
import { ClientsController } from './clients.controller';
import { ClientsService } from './clients.service';
import { SalesRep } from './sales-rep.entity';
import { TenantAccess } from './tenant-access';
import { RollupsModule } from '../reports/rollups.module';

@Module({
  imports: [TypeOrmModule.forFeature([Client, ClientManager, SalesRep, ApiKey]), RollupsModule],
  controllers: [ClientsController, ClientApiController],
  providers: [ClientsService, TenantAccess],
  exports: [ClientsService, TenantAccess],
})
export class ClientsModule {}
