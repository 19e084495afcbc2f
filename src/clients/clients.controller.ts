import { Body, Controller, Delete, Get, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/roles';
import { IdParam } from '../common/id-param.dto';
import {
  ClientsService,
  type ApiKeyView,
  type ClientDetailView,
  type ClientView,
} from './clients.service';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { CreateClientDto, UpdateClientDto } from './dto/create-client.dto';
import { ApiKeyParams, RepParams } from './dto/params.dto';
import { CreateRepDto, UpdateRepDto } from './dto/rep.dto';
import { SetManagersDto } from './dto/set-managers.dto';
import type { SalesRep } from './sales-rep.entity';

/**
 * Client companies. Admins see all; account managers their assigned clients; a client user only
 * its own. Anything else answers 404.
 */
@ApiTags('clients')
@ApiBearerAuth()
@Controller('clients')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Post()
  @Allow('admin', 'account_manager')
  @ApiOperation({
    summary: 'Create a client (an account manager who creates one is assigned to it)',
  })
  create(@CurrentPrincipal() p: Principal, @Body() dto: CreateClientDto): Promise<ClientView> {
    return this.clients.create(p, dto);
  }

  @Get()
  @Allow('admin', 'account_manager', 'client')
  @ApiOperation({ summary: 'The clients the caller may see' })
  list(@CurrentPrincipal() p: Principal): Promise<ClientView[]> {
    return this.clients.list(p);
  }

  @Get(':id')
  @Allow('admin', 'account_manager', 'client')
  @ApiOperation({ summary: 'One client with its account managers' })
  get(@CurrentPrincipal() p: Principal, @Param() { id }: IdParam): Promise<ClientDetailView> {
    return this.clients.get(p, id);
  }

  @Patch(':id')
  @Allow('admin', 'account_manager')
  @ApiOperation({ summary: 'Rename a client or change its feed time zone' })
  update(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
    @Body() dto: UpdateClientDto,
  ): Promise<ClientDetailView> {
    return this.clients.update(p, id, dto);
  }

  @Put(':id/managers')
  @Allow('admin')
  @ApiOperation({ summary: 'Assign the account managers of a client (admin)' })
  setManagers(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
    @Body() dto: SetManagersDto,
  ): Promise<ClientDetailView> {
    return this.clients.setManagers(p, id, dto.userIds);
  }

  @Get(':id/reps')
  @Allow('admin', 'account_manager', 'client')
  @ApiOperation({ summary: "The client's sales reps" })
  listReps(@CurrentPrincipal() p: Principal, @Param() { id }: IdParam): Promise<SalesRep[]> {
    return this.clients.listReps(p, id);
  }

  @Post(':id/reps')
  @Allow('admin', 'account_manager', 'client')
  @ApiOperation({
    summary:
      'Add a sales rep: specialties, territories (state codes or ZIP prefixes), availability',
  })
  createRep(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
    @Body() dto: CreateRepDto,
  ): Promise<SalesRep> {
    return this.clients.createRep(p, id, dto);
  }

  @Patch(':id/reps/:repId')
  @Allow('admin', 'account_manager', 'client')
  @ApiOperation({ summary: 'Change a sales rep (for example mark them unavailable)' })
  updateRep(
    @CurrentPrincipal() p: Principal,
    @Param() { id, repId }: RepParams,
    @Body() dto: UpdateRepDto,
  ): Promise<SalesRep> {
    return this.clients.updateRep(p, id, repId, dto);
  }

  @Get(':id/api-keys')
  @Allow('admin', 'account_manager', 'client')
  @ApiOperation({ summary: "The client's API keys (prefix and last use; never the key)" })
  listApiKeys(@CurrentPrincipal() p: Principal, @Param() { id }: IdParam): Promise<ApiKeyView[]> {
    return this.clients.listApiKeys(p, id);
  }

  @Post(':id/api-keys')
  @Allow('admin', 'account_manager', 'client')
  @ApiOperation({ summary: 'Issue an API key; the key is in this answer and no later one' })
  createApiKey(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
    @Body() dto: CreateApiKeyDto,
  ): Promise<ApiKeyView & { key: string }> {
    return this.clients.createApiKey(p, id, dto.name);
  }

  @Delete(':id/api-keys/:keyId')
  @Allow('admin', 'account_manager', 'client')
  @ApiOperation({ summary: 'Revoke an API key at once' })
  revokeApiKey(
    @CurrentPrincipal() p: Principal,
    @Param() { id, keyId }: ApiKeyParams,
  ): Promise<ApiKeyView> {
    return this.clients.revokeApiKey(p, id, keyId);
  }
}
