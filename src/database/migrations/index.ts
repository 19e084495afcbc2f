import { Init1795463026130 } from './1795463026130-Init';
import { Campaigns1795464728378 } from './1795464728378-Campaigns';
import { Dialing1795468971278 } from './1795468971278-Dialing';
import { Outcomes1795468290176 } from './1795468290176-Outcomes';
import { Telephony1795471805508 } from './1795471805508-Telephony';
import { Referrals1795472846872 } from './1795472846872-Referrals';
import { Reports1795474462525 } from './1795474462525-Reports';
import { Reconcile1795481130315 } from './1795481130315-Reconcile';
import { ReportRollups1795484772058 } from './1795484772058-ReportRollups';
import { ContactTallies1795490000000 } from './1795490000000-ContactTallies';
import { CampaignRollups1795494960352 } from './1795494960352-CampaignRollups';
import { AwaitingOutcome1795512134713 } from './1795512134713-AwaitingOutcome';
import { TokenVersion1795513772611 } from './1795513772611-TokenVersion';
import { ParentEnded1795520000000 } from './1795520000000-ParentEnded';
import { AutoDialConsent1795531000000 } from './1795531000000-AutoDialConsent';
import { CallerStates1795531000001 } from './1795531000001-CallerStates';
import { LoginLimiter1796327631780 } from './1796327631780-LoginLimiter';
import { DncAuthority1796327863078 } from './1796327863078-DncAuthority';

/**
 * Every migration, in order. Generate the next one from the entities with
 * `npm run migration:generate -- src/database/migrations/<Name>` (DATABASE_URL = a database
 * migrated to the current head), then add it here.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: Function[] = [
  Init1795463026130,
  Campaigns1795464728378,
  Outcomes1795468290176,
  Dialing1795468971278,
  Telephony1795471805508,
  Referrals1795472846872,
  Reports1795474462525,
  Reconcile1795481130315,
  ReportRollups1795484772058,
  ContactTallies1795490000000,
  CampaignRollups1795494960352,
  AwaitingOutcome1795512134713,
  TokenVersion1795513772611,
  ParentEnded1795520000000,
  AutoDialConsent1795531000000,
  CallerStates1795531000001,
  LoginLimiter1796327631780,
  DncAuthority1796327863078,
];
