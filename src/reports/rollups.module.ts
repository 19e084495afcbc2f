import { Module } from '@nestjs/common';
import { ContactTallies } from './contact-tallies';
import { RollupsService } from './rollups.service';

/**
 * The roll-ups the reports read, kept by the modules whose writes they add up (calls, referrals,
 * clients): a module of its own, with nothing to import, so that each of them can use it.
 */
@Module({
  providers: [RollupsService, ContactTallies],
  exports: [RollupsService, ContactTallies],
})
export class RollupsModule {}
