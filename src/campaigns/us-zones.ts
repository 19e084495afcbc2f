/**
 * Time-zone facts for the US and Canada that the libraries do not give, or give wrongly.
 *
 * US zones are named by the main zone of their rule set (all of Eastern time is
 * `America/New_York`, ...): every source then speaks the same names, and a list such as
 * `['America/Detroit', 'America/New_York']` never appears for what is one clock. Zones follow
 * the official boundaries; places that keep another zone's time unofficially (Phenix City AL,
 * Kenton OK) are not listed.
 */

/** The main zones of the United States (sorted): all of them when nothing narrows a +1 number. */
export const ALL_US_ZONES: readonly string[] = Object.freeze([
  'America/Anchorage',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/New_York',
  'America/Phoenix',
  'Pacific/Honolulu',
]);

/**
 * Finer IANA zones the data sources return, and the main zone whose clock they have kept since
 * 2007 (the spec checks that they still agree, so a tzdata change that splits them fails a test).
 */
export const ZONE_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  'America/Boise': 'America/Denver',
  'America/Detroit': 'America/New_York',
  'America/Indiana/Indianapolis': 'America/New_York',
  'America/Indiana/Knox': 'America/Chicago',
  'America/Indiana/Marengo': 'America/New_York',
  'America/Indiana/Petersburg': 'America/New_York',
  'America/Indiana/Tell_City': 'America/Chicago',
  'America/Indiana/Vevay': 'America/New_York',
  'America/Indiana/Vincennes': 'America/New_York',
  'America/Indiana/Winamac': 'America/New_York',
  'America/Juneau': 'America/Anchorage',
  'America/Kentucky/Louisville': 'America/New_York',
  'America/Kentucky/Monticello': 'America/New_York',
  'America/Menominee': 'America/Chicago',
  'America/Nome': 'America/Anchorage',
  'America/North_Dakota/Beulah': 'America/Chicago',
  'America/North_Dakota/Center': 'America/Chicago',
  'America/North_Dakota/New_Salem': 'America/Chicago',
  'America/Shiprock': 'America/Denver',
  'America/Sitka': 'America/Anchorage',
  'America/Yakutat': 'America/Anchorage',
});

const ET = 'America/New_York';
const CT = 'America/Chicago';
const MT = 'America/Denver';
const PT = 'America/Los_Angeles';

/** Every zone in use in each state, DC and the inhabited territories (sorted). */
export const STATE_ZONES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  AK: ['America/Adak', 'America/Anchorage'], // Aleutians west of 169°30'W keep Hawaii-Aleutian time
  AL: [CT],
  AR: [CT],
  AS: ['Pacific/Pago_Pago'],
  AZ: [MT, 'America/Phoenix'], // the Navajo Nation keeps daylight saving time; the rest does not
  CA: [PT],
  CO: [MT],
  CT: [ET],
  DC: [ET],
  DE: [ET],
  FL: [CT, ET], // the panhandle west of the Apalachicola River is Central
  GA: [ET],
  GU: ['Pacific/Guam'],
  HI: ['Pacific/Honolulu'],
  IA: [CT],
  ID: [MT, PT], // the panhandle is Pacific
  IL: [CT],
  IN: [CT, ET], // the north-west (Gary) and south-west (Evansville) corners are Central
  KS: [CT, MT], // four western counties are Mountain
  KY: [CT, ET], // the western half is Central
  LA: [CT],
  MA: [ET],
  MD: [ET],
  ME: [ET],
  MI: [CT, ET], // four Upper Peninsula counties bordering Wisconsin are Central
  MN: [CT],
  MO: [CT],
  MP: ['Pacific/Saipan'],
  MS: [CT],
  MT: [MT],
  NC: [ET],
  ND: [CT, MT], // the south-west is Mountain
  NE: [CT, MT], // the west is Mountain
  NH: [ET],
  NJ: [ET],
  NM: [MT],
  NV: [MT, PT], // West Wendover is Mountain
  NY: [ET],
  OH: [ET],
  OK: [CT],
  OR: [MT, PT], // most of Malheur County is Mountain
  PA: [ET],
  PR: ['America/Puerto_Rico'],
  RI: [ET],
  SC: [ET],
  SD: [CT, MT], // the west is Mountain
  TN: [CT, ET], // East Tennessee is Eastern
  TX: [CT, MT], // El Paso, Hudspeth and part of Culberson County are Mountain
  UT: [MT],
  VA: [ET],
  VI: ['America/St_Thomas'],
  VT: [ET],
  WA: [PT],
  WI: [CT],
  WV: [ET],
  WY: [MT],
});

/** Canadian provinces and territories, in the same role as states (sorted). */
export const PROVINCE_ZONES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  AB: ['America/Edmonton'],
  BC: ['America/Edmonton', 'America/Vancouver'], // the East Kootenay is Mountain
  MB: ['America/Winnipeg'],
  NB: ['America/Halifax'],
  NL: ['America/Halifax', 'America/St_Johns'], // most of Labrador keeps Atlantic time
  NS: ['America/Halifax'],
  NT: ['America/Edmonton'],
  NU: ['America/Edmonton', 'America/Toronto', 'America/Winnipeg'],
  ON: ['America/Toronto', 'America/Winnipeg'], // the north-west is Central
  PE: ['America/Halifax'],
  QC: ['America/Halifax', 'America/Toronto'], // the Magdalen Islands are Atlantic
  SK: ['America/Edmonton', 'America/Regina'], // Lloydminster keeps Alberta's time
  YT: ['America/Whitehorse'],
});

/**
 * Zones added to what libphonenumber's data says for an area code: overlays it files under one
 * zone although they serve the same split region as the code they overlay, and codes whose
 * region crosses a zone line it does not record.
 */
export const AREA_CODE_EXTRA_ZONES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  '236': ['America/Edmonton'], // BC-wide overlay (East Kootenay)
  '257': ['America/Edmonton'], // BC-wide overlay
  '364': [CT], // overlay of 270, western Kentucky
  '367': ['America/Halifax'], // overlay of 418 (Magdalen Islands)
  '432': [MT], // north-west Culberson County, Texas
  '448': [CT], // overlay of 850, Florida panhandle
  '458': [MT], // overlay of 541 (Malheur County, Oregon)
  '474': ['America/Regina'], // overlay of 306, Saskatchewan (the data says Winnipeg)
  '581': ['America/Halifax'], // overlay of 418
  '672': ['America/Edmonton'], // BC-wide overlay
  '778': ['America/Edmonton'], // BC-wide overlay
  '930': [CT], // overlay of 812, south-west Indiana
  '931': [ET], // Cumberland County, Tennessee
});

/**
 * Zones added to what `zipcode-to-timezone` says for a 3-digit ZIP area or a single ZIP, where
 * its data is wrong (it puts Gary, Evansville and Ontario OR in the zone of the rest of their
 * state). ZIP areas its own data shows crossing a zone line are widened without a row here.
 */
export const ZIP_EXTRA_ZONES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  '385': [ET], // Cumberland County, Tennessee (Crossville)
  '464': [CT], // Lake and Porter counties, Indiana
  '477': [CT], // Evansville, Indiana
  '898': [MT], // West Wendover and Jackpot, Nevada
  '979': [MT], // Malheur County, Oregon
  '99546': ['America/Adak'], // Adak, Alaska
  '99547': ['America/Adak'], // Atka, Alaska
});
