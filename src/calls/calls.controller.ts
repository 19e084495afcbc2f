import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow, CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/roles';
import { ErrorBody } from '../common/error-body';
import {
  CallsService,
  type CurrentCall,
  type NextContact,
  type OutcomeResult,
} from './calls.service';
import { DialingService, type DialAnswer, type ExtendAnswer } from './dialing.service';
import { CallIdParam, NextCallDto } from './dto/next-call.dto';
import { OutcomeDto } from './dto/outcome.dto';
import { RecallsService } from './recalls.service';

@ApiTags('calls')
@ApiBearerAuth()
@Controller('calls')
@Allow('caller')
@ApiBadRequestResponse({
  type: ErrorBody,
  description: 'code `invalid`; `details` names the fields',
})
@ApiUnauthorizedResponse({ type: ErrorBody, description: 'code `unauthenticated`' })
@ApiForbiddenResponse({ type: ErrorBody, description: 'code `forbidden`: callers only' })
@ApiNotFoundResponse({
  type: ErrorBody,
  description: 'code `not_found`: no such call of this caller (or campaign)',
})
export class CallsController {
  constructor(
    private readonly calls: CallsService,
    private readonly dialing: DialingService,
    private readonly recalls: RecallsService,
  ) {}

  @Post('next')
  @ApiOperation({
    summary: "The caller's next contact, leased to them (200), or 204 when none may be called now",
    description:
      'Asking again while the lease holds returns the same contact and call. With `contactId`: that contact, ' +
      "one's own due recall (see `GET /callers/me/recalls`); an undialed lease on another contact is released. " +
      'Refused with 409 `no_contact_now` when it is not your recall, not due, held by another caller, or may not ' +
      'be called now (campaign, do-not-call, calling hours, daily limit), `call_live` while you are on a call.',
  })
  async next(
    @CurrentPrincipal() p: Principal,
    @Body() dto: NextCallDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<NextContact | undefined> {
    const next = dto.contactId
      ? await this.calls.held(p, await this.recalls.take(p, dto.contactId, dto.campaignId ?? null))
      : await this.calls.next(p, dto.campaignId);
    if (!next) void reply.status(204);
    else void reply.status(200);
    return next;
  }

  @Get('current')
  @ApiOperation({
    summary: "The caller's open lease and call (200), or 204 when there is none",
    description:
      "What a reloaded console comes back to: the claim's answer plus `call: {state, dialedAt, answeredAt, endedAt, " +
      'wrapUpEndsAt, capSeconds, extended, hitCap}`. Open = no outcome yet and on the line, or ended with the ' +
      'wrap-up window still open (until `wrapUpEndsAt`), or a lease still held; a call that needs an outcome ' +
      'comes before a lease taken since.',
  })
  @ApiNoContentResponse({ description: 'no open lease or call' })
  async current(
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CurrentCall | undefined> {
    const current = await this.calls.current(p);
    void reply.status(current ? 200 : 204);
    return current;
  }

  @Post(':callId/dial')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start the call through the telephony provider',
    description:
      "Checks again what the claim checked: the lease, do-not-call, the contact's calling hours, and one live call per caller (409 in words otherwise).",
  })
  @ApiConflictResponse({
    type: ErrorBody,
    description:
      'code `lease_lost`, `campaign_not_active`, `not_on_campaign`, `call_live`, `on_do_not_call`, ' +
      '`outside_calling_hours` or `daily_limit`',
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
  @ApiConflictResponse({
    type: ErrorBody,
    description: 'code `call_placed` or `another_contact_taken`',
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
    description:
      'An allowance of p% lets a campaign extend ⌈p% × max(dialed calls, 10)⌉ calls. A refusal answers 200 ' +
      '`{granted: false, capSeconds, reason, code}`.',
  })
  @ApiOkResponse({
    description: '`{granted, capSeconds, reason?, code?}`',
    schema: {
      type: 'object',
      required: ['granted', 'capSeconds'],
      properties: {
        granted: { type: 'boolean' },
        capSeconds: { type: 'integer' },
        reason: { type: 'string', description: 'why it was refused, in words' },
        code: { type: 'string', enum: ['allowance_used', 'not_live', 'cap_passed'] },
      },
    },
  })
  extend(
    @CurrentPrincipal() p: Principal,
    @Param() { callId }: CallIdParam,
  ): Promise<ExtendAnswer> {
    return this.dialing.extend(p, callId);
  }

  @Post(':callId/outcome')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Record the outcome of a call: disposition, notes, recall time, referral',
    description:
      'Within the wrap-up window after hang-up (or while the lease holds, for a contact not dialed here); later 409 and the contact goes back to the queue. A repeat with the same body answers the same result.',
  })
  @ApiConflictResponse({
    type: ErrorBody,
    description: 'code `call_live` (hang up first), `wrap_up_over` or `outcome_recorded`',
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
