import { Body, Controller, Get, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Allow, CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/roles';
import { uploadStream } from '../common/upload';
import { DncService, type DncImportReport } from './dnc.service';
import { AddDncDto, DncImportQuery, DncPhoneParam } from './dto/dnc.dto';

/** Do-not-call lists: agency staff only; the lists never appear in anything a client sees. */
@ApiTags('do-not-call')
@ApiBearerAuth()
@Controller('dnc')
@Allow('admin', 'account_manager')
export class DncController {
  constructor(private readonly dnc: DncService) {}

  @Post()
  @ApiOperation({ summary: "Add a number to the global list or to a client's list" })
  add(
    @CurrentPrincipal() p: Principal,
    @Body() dto: AddDncDto,
  ): Promise<{ phone: string; clientId: string | null }> {
    return this.dnc.add(p, dto.phone, dto.clientId);
  }

  @Post('imports')
  @ApiConsumes('text/csv', 'multipart/form-data')
  @ApiOperation({
    summary:
      'Import a list of numbers (a CSV: the phone columns its header names, else one number a line, `212,5550100` as registry extracts write it), e.g. a registry extract with ?registry=true&obtainedAt=YYYY-MM-DD',
  })
  async importList(
    @CurrentPrincipal() p: Principal,
    @Query() q: DncImportQuery,
    @Req() req: FastifyRequest,
  ): Promise<DncImportReport> {
    const { stream } = await uploadStream(req);
    return this.dnc.importList(p, stream, q);
  }

  @Get(':phone')
  @ApiOperation({ summary: 'Whether a number is listed, and on which lists the caller may see' })
  lookup(@CurrentPrincipal() p: Principal, @Param() { phone }: DncPhoneParam) {
    return this.dnc.lookup(p, phone);
  }
}
