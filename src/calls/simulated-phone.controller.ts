import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/roles';
import { AppError } from '../common/app-error';
import { DialingService, type CallStatus } from './dialing.service';
import { SimulatedPhone } from './telephony/simulated-phone.service';
import { CallEventDto } from './dto/call-event.dto';
import { CallIdParam } from './dto/next-call.dto';

/**
 * The simulated phone (the default without Twilio credentials): the console's fake device
 * reports ringing, answer, hang-up, busy or no answer here; the simulated phone turns each into
 * the voice request and signed status callbacks Twilio would send, through the same guard and
 * handlers.
 */
@ApiTags('telephony')
@ApiBearerAuth()
@Controller('telephony/simulated/calls')
@Allow('caller')
export class SimulatedPhoneController {
  constructor(
    private readonly dialing: DialingService,
    private readonly phone: SimulatedPhone,
  ) {}

  @Post(':callId/events')
  @HttpCode(200)
  @ApiOperation({
    summary: 'An event of the simulated phone (ringing, answered, completed, busy, no-answer, …)',
  })
  async event(
    @CurrentPrincipal() p: Principal,
    @Param() { callId }: CallIdParam,
    @Body() dto: CallEventDto,
  ): Promise<CallStatus> {
    if (this.dialing.mode !== 'simulated') throw AppError.notFound('Simulated phone');
    if (p.kind !== 'user') throw new AppError('forbidden', 'Only callers make calls');
    await this.phone.event(callId, p.userId, dto.event);
    return this.dialing.status(callId);
  }
}
