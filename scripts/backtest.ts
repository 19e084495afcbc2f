import {
  INDUSTRY_CLOSE_PRIOR,
  INDUSTRY_SUCCESS_PRIOR,
  posterior,
  predictCount,
  type Prior,
} from '../src/reports/projection';

/**
 * Backtest of the projections: do the "80%" and "95%" ranges contain the truth 80% and 95% of the
 * time? Simulated campaigns, each with a hidden true rate; the first part of each campaign is
 * shown to the projection, which then forecasts the rest; we count how often the forecast range
 * held the actual result.
 *
 * Run it: `npx tsc -p tsconfig.build.json && node dist/scripts/backtest.js [campaigns] [seed]`.
 */

/**
 * One line of the calibration table: for a quantity, over how many simulated campaigns, the share
 * (0–1) of them whose actual count fell inside the projected 80% range and inside the 95% range.
 */
export interface CalibrationRow {
  quantity: 'referrals' | 'sales';
  campaigns: number;
  coverage80: number;
  coverage95: number;
}

/**
 * A small, fast, seeded pseudo-random generator (mulberry32): the same seed always gives the same
 * sequence of numbers in [0, 1), so a backtest can be repeated exactly.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  const imul = Math.imul; // read once: a global lookup per call is slow inside Jest's sandbox
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The kind of campaign simulated for one row of the table. */
interface Scenario {
  quantity: CalibrationRow['quantity'];
  /** True rates are drawn uniformly from this range. */
  rate: [number, number];
  /** Trials per campaign (dials, or referrals with a final feedback), drawn uniformly. */
  size: [number, number];
  prior: Prior;
}

/**
 * The scenarios. Referrals: true success rates from 3% to 15% (the industry's 8% give or take),
 * lists of 2,000–20,000 dials. Sales: true close rates from 10% to 35%, 50–500 referrals.
 * In both, the first 20–40% of the trials are the observed history.
 */
const SCENARIOS: Scenario[] = [
  { quantity: 'referrals', rate: [0.03, 0.15], size: [2000, 20000], prior: INDUSTRY_SUCCESS_PRIOR },
  { quantity: 'sales', rate: [0.1, 0.35], size: [50, 500], prior: INDUSTRY_CLOSE_PRIOR },
];

function uniformInt(rng: () => number, [min, max]: [number, number]): number {
  return min + Math.floor(rng() * (max - min + 1));
}

function simulate(scenario: Scenario, campaigns: number, rng: () => number): CalibrationRow {
  let inside80 = 0;
  let inside95 = 0;
  for (let c = 0; c < campaigns; c++) {
    const [rateMin, rateMax] = scenario.rate;
    const trueRate = rateMin + (rateMax - rateMin) * rng();
    const size = uniformInt(rng, scenario.size);
    const observed = Math.round(size * (0.2 + 0.2 * rng()));
    let seen = 0;
    let actual = 0;
    for (let i = 0; i < size; i++) {
      if (rng() < trueRate) {
        if (i < observed) seen++;
        else actual++;
      }
    }
    const forecast = predictCount(posterior(scenario.prior, seen, observed), size - observed);
    if (forecast.lower80 <= actual && actual <= forecast.upper80) inside80++;
    if (forecast.lower95 <= actual && actual <= forecast.upper95) inside95++;
  }
  return {
    quantity: scenario.quantity,
    campaigns,
    coverage80: campaigns === 0 ? 0 : inside80 / campaigns,
    coverage95: campaigns === 0 ? 0 : inside95 / campaigns,
  };
}

function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/**
 * Runs the backtest over `campaigns` simulated campaigns per quantity, reproducibly from `seed`,
 * and returns the coverage rows and a markdown table of them. Well-calibrated ranges show about
 * 80% and 95%; much less means the ranges are overconfident, much more that they are too wide.
 */
export function runBacktest(opts: { campaigns: number; seed: number }): {
  rows: CalibrationRow[];
  table: string;
} {
  if (!Number.isInteger(opts.campaigns) || opts.campaigns < 0) {
    throw new RangeError(`campaigns must be a non-negative integer, got ${opts.campaigns}`);
  }
  const rng = mulberry32(opts.seed);
  const rows = SCENARIOS.map((scenario) => simulate(scenario, opts.campaigns, rng));
  const table = [
    '| quantity | campaigns | 80% interval contains the truth | 95% interval contains the truth |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map(
      (row) =>
        `| ${row.quantity} | ${row.campaigns} | ${percent(row.coverage80)} | ${percent(row.coverage95)} |`,
    ),
  ].join('\n');
  return { rows, table };
}

if (require.main === module) {
  const campaigns = Number(process.argv[2] ?? 2000);
  const seed = Number(process.argv[3] ?? 20261123);
  process.stdout.write(`${runBacktest({ campaigns, seed }).table}\n`);
}
