import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/roles';
import { ReferralsService, type ReturnedReferral } from '../referrals/referrals.service';
import { type Recall, RecallsService } from './recalls.service';

/** The caller's inbox in the console: what came back to them, and whom they promised to call. */
@ApiTags('calls')
@ApiBearerAuth()
@Controller('callers/me')
@Allow('caller')
export class CallerInboxController {
  constructor(
    private readonly referrals: ReferralsService,
    private readonly recalls: RecallsService,
  ) {}

  @Get('returned')
  @ApiOperation({
    summary: 'The referrals a reviewer returned to you, with the reason, to correct and resubmit',
    description:
      'Oldest return first. Each: `{id, callId, contactId, reason, returnedAt, returnedBy, campaign: {id, name}, ' +
      'company, rating, need, timeframe, budget, decisionMaker, employees, expectingCall, nextStep, ' +
      'contact: {name, title, phone, email, website, company}, score, problems, createdAt}`. ' +
      'Resubmit with `POST /referrals/:id/resubmit`.',
  })
  returned(@CurrentPrincipal() p: Principal): Promise<ReturnedReferral[]> {
    return this.referrals.returnedTo(p);
  }

  @Get('recalls')
  @ApiOperation({
    summary: 'Your scheduled callbacks on the campaigns you work, soonest first',
    description:
      'Each: `{contactId, callId, campaign: {id, name}, company, firstName, lastName, title, phone, recallAt, ' +
      'timezones, localTimes: [{zone, localTime: "YYYY-MM-DDTHH:MM"}], due, notes}` (at most 500). ' +
      'A due one is taken with `POST /calls/next {contactId}`. A recall another caller holds right now is not listed.',
  })
  recallList(@CurrentPrincipal() p: Principal): Promise<Recall[]> {
    return this.recalls.list(p);
  }
}
