import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { Allow, CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/roles';
import { IdParam } from '../common/id-param.dto';
import { TakesUpload } from '../common/request-bodies';
import { uploadStream } from '../common/upload';
import { CampaignsService, type CampaignView, type ClientCampaignView } from './campaigns.service';
import {
  CreateCampaignDto,
  ListCampaignsQuery,
  SetCallersDto,
  UpdateCampaignDto,
} from './dto/campaign.dto';
import { ImportsService, type ImportView } from './imports.service';

class ImportParams extends IdParam {
  @IsUUID()
  importId!: string;
}

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('campaigns')
export class CampaignsController {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly imports: ImportsService,
  ) {}

  @Post()
  @Allow('admin', 'account_manager')
  @ApiOperation({ summary: 'Create a campaign (status draft)' })
  create(@CurrentPrincipal() p: Principal, @Body() dto: CreateCampaignDto): Promise<CampaignView> {
    return this.campaigns.create(p, dto);
  }

  @Get()
  @Allow('admin', 'account_manager', 'caller', 'client')
  @ApiOperation({
    summary: 'Campaigns the caller may see (a caller: those assigned to them)',
    description:
      'A client user sees only id, name, product, status, kind, pitches, offers, callingWindow and createdAt.',
  })
  list(
    @CurrentPrincipal() p: Principal,
    @Query() q: ListCampaignsQuery,
  ): Promise<CampaignView[] | ClientCampaignView[]> {
    return this.campaigns.list(p, q.clientId);
  }

  @Get(':id')
  @Allow('admin', 'account_manager', 'caller', 'client')
  @ApiOperation({ summary: 'One campaign (a client user: the same fields as in the list)' })
  get(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
  ): Promise<CampaignView | ClientCampaignView> {
    return this.campaigns.get(p, id);
  }

  @Patch(':id')
  @Allow('admin', 'account_manager')
  @ApiOperation({
    summary: 'Change a campaign or its status',
    description:
      'Going active needs a script naming the client, a caller ID and a caller; otherwise 409 naming what is missing.',
  })
  update(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
    @Body() dto: UpdateCampaignDto,
  ): Promise<CampaignView> {
    return this.campaigns.update(p, id, dto);
  }

  @Put(':id/callers')
  @Allow('admin', 'account_manager')
  @ApiOperation({ summary: 'Which callers work the campaign' })
  setCallers(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
    @Body() dto: SetCallersDto,
  ): Promise<CampaignView> {
    return this.campaigns.setCallers(p, id, dto.callerIds);
  }

  @Post(':id/imports')
  @HttpCode(202)
  @Allow('admin', 'account_manager')
  @TakesUpload()
  @ApiBody({ description: 'The CSV file, as the body or as the multipart field "file"' })
  @ApiOperation({
    summary:
      'Upload a contact list (CSV); answers 202 with the import id once the file is received',
    description:
      'Progress and the report (counts and every rejected line with its reason) at GET .../imports/:importId.',
  })
  async startImport(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
    @Req() req: FastifyRequest,
  ): Promise<{ id: string }> {
    const { stream, fileName } = await uploadStream(req);
    return this.imports.start(p, id, stream, fileName);
  }

  @Get(':id/imports/:importId')
  @Allow('admin', 'account_manager')
  @ApiOperation({ summary: 'Progress and report of an import' })
  getImport(
    @CurrentPrincipal() p: Principal,
    @Param() { id, importId }: ImportParams,
  ): Promise<ImportView> {
    return this.imports.get(p, id, importId);
  }
}
