import { Body, Controller, Get, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Allow, CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/roles';
import { TakesUpload } from '../common/request-bodies';
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
  @ApiOperation({
    summary:
      "Add a number to a client's list (a client the caller manages), or to the global list (admins only: 403 for others)",
  })
  add(
    @CurrentPrincipal() p: Principal,
    @Body() dto: AddDncDto,
  ): Promise<{ phone: string; clientId: string | null }> {
    return this.dnc.add(p, dto.phone, dto.clientId);
  }

  @Post('imports')
  @TakesUpload()
  @ApiOperation({
    summary:
      'Import a list of numbers (a CSV: the phone columns its header names, else one number a line, `212,5550100` as registry extracts write it) for a client the caller manages; the global list and registry extracts (?registry=true&obtainedAt=YYYY-MM-DD, at least one valid number) are for admins only. The file is read to the end before any database work.',
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
