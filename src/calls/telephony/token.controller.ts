import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentPrincipal } from '../../auth/access.decorators';
import type { Principal } from '../../auth/roles';
import { AppError } from '../../common/app-error';
import { Clock } from '../../common/clock';
import { type AccessTokenAnswer, Telephony } from './telephony';

@ApiTags('telephony')
@ApiBearerAuth()
@Controller('telephony')
@Allow('caller')
export class TelephonyTokenController {
  constructor(
    private readonly telephony: Telephony,
    private readonly clock: Clock,
  ) {}

  @Get('token')
  @ApiOperation({
    summary: "The signed-in caller's softphone token",
    description:
      'With Twilio: a 15-minute Access Token with a Voice grant for the TwiML App (outgoing only), identity `user_<id>`; refresh it before `expiresAt`. Simulated: `mode: "simulated"` and no token.',
  })
  token(@CurrentPrincipal() p: Principal): AccessTokenAnswer {
    if (p.kind !== 'user') throw new AppError('forbidden', 'Only callers make calls');
    return this.telephony.accessToken(p.userId, this.clock.now());
  }
}
