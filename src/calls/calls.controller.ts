import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow, CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/roles';
import { CallsService, type NextContact, type OutcomeResult } from './calls.service';
import { DialingService, type DialAnswer } from './dialing.service';
import { CallIdParam, NextCallDto } from './dto/next-call.dto';
import { OutcomeDto } from './dto/outcome.dto';

@ApiTags('calls')
@ApiBearerAuth()
@Controller('calls')
@Allow('caller')
export class CallsController {
  constructor(
    private readonly calls: CallsService,
    private readonly dialing: DialingService,
  ) {}

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

  @Post(':callId/dial')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start the call through the telephony provider',
    description:
      "Checks again what the claim checked: the lease, do-not-call, the contact's calling hours, and one live call per caller (409 in words otherwise).",
  })
  dial(@CurrentPrincipal() p: Principal, @Param() { callId }: CallIdParam): Promise<DialAnswer> {
    return this.dialing.dial(p, callId);
  }

  @Post(':callId/cancel-dial')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Take back a dial the phone never placed (the device failed before the provider asked)',
    description:
      'The call is leased again: dial once more or record an outcome. 409 once the provider has the call.',
  })
  async cancelDial(
    @CurrentPrincipal() p: Principal,
    @Param() { callId }: CallIdParam,
  ): Promise<void> {
    await this.dialing.cancelDial(p, callId);
  }

  @Post(':callId/extend')
  @HttpCode(200)
  @ApiOperation({
    summary: "Ask for the extended talk cap, granted while the campaign's allowance lasts",
  })
  extend(@CurrentPrincipal() p: Principal, @Param() { callId }: CallIdParam) {
    return this.dialing.extend(p, callId);
  }

  @Post(':callId/outcome')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Record the outcome of a call: disposition, notes, recall time, referral',
    description:
      'Within the wrap-up window after hang-up (or while the lease holds, for a contact not dialed here); later 409 and the contact goes back to the queue. A repeat with the same body answers the same result.',
  })
  outcome(
    @CurrentPrincipal() p: Principal,
    @Param() { callId }: CallIdParam,
    @Body() dto: OutcomeDto,
  ): Promise<OutcomeResult> {
    return this.calls.recordOutcome(p, callId, dto);
  }

  @Post(':callId/release')
  @HttpCode(204)
  @ApiOperation({ summary: 'Give a leased contact back without calling it' })
  async release(@CurrentPrincipal() p: Principal, @Param() { callId }: CallIdParam): Promise<void> {
    await this.calls.release(p, callId);
  }
}
