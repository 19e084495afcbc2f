import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow, CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/roles';
import { CallsService, type NextContact } from './calls.service';
import { CallIdParam, NextCallDto } from './dto/next-call.dto';

@ApiTags('calls')
@ApiBearerAuth()
@Controller('calls')
@Allow('caller')
export class CallsController {
  constructor(private readonly calls: CallsService) {}

  @Post('next')
  @ApiOperation({
    summary: "The caller's next contact, leased to them (200), or 204 when none may be called now",
    description: 'Asking again while the lease holds returns the same contact and call.',
  })
  async next(
    @CurrentPrincipal() p: Principal,
    @Body() dto: NextCallDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<NextContact | undefined> {
    const next = await this.calls.next(p, dto.campaignId);
    if (!next) void reply.status(204);
    else void reply.status(200);
    return next;
  }

  @Post(':callId/release')
  @HttpCode(204)
  @ApiOperation({ summary: 'Give a leased contact back without calling it' })
  async release(@CurrentPrincipal() p: Principal, @Param() { callId }: CallIdParam): Promise<void> {
    await this.calls.release(p, callId);
  }
}
