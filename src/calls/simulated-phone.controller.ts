import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/roles';
import { AppError } from '../common/app-error';
import { DialingService, type CallStatus } from './dialing.service';
import { CallEventDto } from './dto/call-event.dto';
import { CallIdParam } from './dto/next-call.dto';

/**
 * The simulated phone (the default without Twilio credentials): the console's fake device
 * reports ringing, answer, hang-up, busy or no answer here, and the call moves through the same
 * states, by the same code, as Twilio's status callbacks will move it.
 */
@ApiTags('telephony')
@ApiBearerAuth()
@Controller('telephony/simulated/calls')
@Allow('caller')
export class SimulatedPhoneController {
  constructor(private readonly dialing: DialingService) {}

  @Post(':callId/events')
  @HttpCode(200)
  @ApiOperation({
    summary: 'An event of the simulated phone (ringing, answered, completed, busy, no-answer, …)',
  })
  event(
    @CurrentPrincipal() p: Principal,
    @Param() { callId }: CallIdParam,
    @Body() dto: CallEventDto,
  ): Promise<CallStatus> {
    if (this.dialing.mode !== 'simulated') throw AppError.notFound('Simulated phone');
    return this.dialing.applyEvent(callId, dto.event, p.kind === 'user' ? p.userId : undefined);
  }
}
