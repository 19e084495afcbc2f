import { Body, Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/roles';
import type { CallerStateNow } from './caller-states';
import { CallerStatesService, type Floor } from './caller-states.service';
import { SetCallerStateDto } from './dto/caller-state.dto';

const STATE_SHAPE =
  '`{state: "ready" | "paused" | "on_call" | "wrap_up" | "signed_out", reason (with paused), since, ' +
  'callId (with on_call, wrap_up), wrapUpEndsAt (with wrap_up), declared: {state, reason} | null, lastSeenAt}`. ' +
  '`on_call` (dial to hang-up) and `wrap_up` (hang-up to the outcome, within the wrap-up window) follow the ' +
  'call, also one placed through the API; no word for 90 s is `signed_out`.';

/** Callers' states: the console's Ready / Pause switch and heartbeat, and the managers' floor. */
@ApiTags('callers')
@ApiBearerAuth()
@Controller('callers')
export class CallerStatesController {
  constructor(private readonly states: CallerStatesService) {}

  @Put('me/state')
  @Allow('caller')
  @ApiOperation({
    summary: 'Ready or paused (with a reason); the console sends it on every change and every 30 s',
    description: `The same state again is a heartbeat. Answers the state now: ${STATE_SHAPE}`,
  })
  declare(
    @CurrentPrincipal() p: Principal,
    @Body() dto: SetCallerStateDto,
  ): Promise<CallerStateNow> {
    return this.states.declare(p, dto.state, dto.reason);
  }

  @Get('me/state')
  @Allow('caller')
  @ApiOperation({ summary: 'Your state now', description: STATE_SHAPE })
  mine(@CurrentPrincipal() p: Principal): Promise<CallerStateNow> {
    return this.states.mine(p);
  }

  @Delete('me/state')
  @HttpCode(204)
  @Allow('caller')
  @ApiOperation({
    summary: 'Sign out now (the console closing), rather than after 90 s of silence',
  })
  async signOut(@CurrentPrincipal() p: Principal): Promise<void> {
    await this.states.signOut(p);
  }

  @Get('states')
  @Allow('admin', 'account_manager')
  @ApiOperation({
    summary: "The floor: every caller's state now and since when",
    description: `Admins: every active caller; account managers: the callers of their clients' campaigns. \`{at, callers: [{callerId, name, email, ...state}]}\` with each state as ${STATE_SHAPE}`,
  })
  floor(@CurrentPrincipal() p: Principal): Promise<Floor> {
    return this.states.floor(p);
  }
}
