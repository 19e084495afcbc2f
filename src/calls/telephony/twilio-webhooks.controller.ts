import { Controller, Header, HttpCode, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../auth/access.decorators';
import { TakesForms } from '../../common/request-bodies';
import { ParentLegs } from './parent-leg';
import { TelephonyEvents } from './telephony-events.service';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import type { FormParams } from './webhook-params';

/**
 * Twilio's webhooks (a contract: they change only by adding). No user signs these in: the
 * signature guard checks `X-Twilio-Signature` on every one, and the handlers trust nothing in the
 * body they cannot check against the database.
 */
@ApiExcludeController()
@Controller('telephony/twilio')
@Public()
@TakesForms()
@UseGuards(TwilioSignatureGuard)
export class TwilioWebhooksController {
  constructor(
    private readonly events: TelephonyEvents,
    private readonly parentLegs: ParentLegs,
  ) {}

  /** The TwiML App's voice URL. */
  @Post('voice')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml; charset=utf-8')
  voice(@Req() req: FastifyRequest): Promise<string> {
    return this.events.voice(req.body as FormParams);
  }

  @Post('status')
  @HttpCode(204)
  async status(@Req() req: FastifyRequest, @Query('callId') callId?: string): Promise<void> {
    await this.events.status(callId, req.body as FormParams);
  }

  /** The `<Dial action>` of the voice TwiML: the dial is over; answered with a hang-up. */
  @Post('dial-action')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml; charset=utf-8')
  dialAction(@Req() req: FastifyRequest, @Query('callId') callId?: string): Promise<string> {
    return this.parentLegs.dialAction(callId, req.body as FormParams);
  }

  /** The TwiML App's status callback (set in the Twilio console): the browser leg's status. */
  @Post('parent-status')
  @HttpCode(204)
  async parentStatus(@Req() req: FastifyRequest): Promise<void> {
    await this.parentLegs.parentStatus(req.body as FormParams);
  }

  @Post('recording')
  @HttpCode(204)
  async recording(@Req() req: FastifyRequest, @Query('callId') callId?: string): Promise<void> {
    await this.events.recording(callId, req.body as FormParams);
  }

  /** Played to the called party before a recorded call connects. */
  @Post('notice')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml; charset=utf-8')
  notice(@Query('callId') callId?: string): Promise<string> {
    return this.events.notice(callId);
  }
}
