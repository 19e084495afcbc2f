import { Body, Controller, Delete, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/roles';
import { ConsentService, type WrittenConsentView } from './consent.service';
import { ContactIdParam, WrittenConsentDto } from './dto/consent.dto';

/** A contact's prior express written consent to automated calls: its client's staff only. */
@ApiTags('contacts')
@ApiBearerAuth()
@Controller('contacts')
@Allow('admin', 'account_manager')
export class ConsentController {
  constructor(private readonly consent: ConsentService) {}

  @Put(':id/consent')
  @ApiOperation({
    summary: "Record the contact's prior express written consent (date and where it is kept)",
    description:
      'Lets the console dial the contact without Call where a state law requires written consent for automated dialing (Oklahoma, Maryland; Florida for consumer campaigns). A contact of a client the account manager does not manage answers 404.',
  })
  record(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: ContactIdParam,
    @Body() dto: WrittenConsentDto,
  ): Promise<WrittenConsentView> {
    return this.consent.record(p, id, dto.consentAt, dto.source);
  }

  @Delete(':id/consent')
  @HttpCode(204)
  @ApiOperation({
    summary: "Withdraw the contact's written consent (it is dialed only by Call again)",
  })
  async withdraw(@CurrentPrincipal() p: Principal, @Param() { id }: ContactIdParam): Promise<void> {
    await this.consent.withdraw(p, id);
  }
}
