import {
  INDUSTRY_CLOSE_PRIOR,
  INDUSTRY_SUCCESS_PRIOR,
  posterior,
  predictCount,
  projectSales,
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
  /** True success rates (referrals ÷ dials) are drawn uniformly from this range. */
  success: [number, number];
  /** True close rates (won ÷ referrals decided), likewise; only sales use it. */
  close: [number, number];
  /** Dials per campaign, drawn uniformly. */
  size: [number, number];
  /** The share of the dials already made (the history shown to the projection), drawn uniformly. */
  observed: [number, number];
}

/**
 * The scenarios: true success rates from 3% to 15% (the industry's 8% give or take) and close
 * rates from 10% to 35%, lists of 2,000–20,000 dials, of which the first 5–40% are the history.
 * Referrals: the referrals of the remaining dials. Sales: the sales of the remaining dials (a
 * referral, then won), projected as the report does, from both uncertain rates at once; every
 * referral of the history has had its final answer.
 */
const SCENARIOS: Scenario[] = [
  {
    quantity: 'referrals',
    success: [0.03, 0.15],
    close: [0, 0],
    size: [2000, 20000],
    observed: [0.05, 0.4],
  },
  {
    quantity: 'sales',
    success: [0.03, 0.15],
    close: [0.1, 0.35],
    size: [2000, 20000],
    observed: [0.05, 0.4],
  },
];

function uniformInt(rng: () => number, [min, max]: [number, number]): number {
  return min + Math.floor(rng() * (max - min + 1));
}

function uniform(rng: () => number, [min, max]: [number, number]): number {
  return min + (max - min) * rng();
}

function simulate(scenario: Scenario, campaigns: number, rng: () => number): CalibrationRow {
  let inside80 = 0;
  let inside95 = 0;
  for (let c = 0; c < campaigns; c++) {
    const success = uniform(rng, scenario.success);
    const close = uniform(rng, scenario.close);
    const size = uniformInt(rng, scenario.size);
    const observed = Math.round(size * uniform(rng, scenario.observed));
    let referrals = 0;
    let won = 0;
    let actual = 0;
    for (let i = 0; i < size; i++) {
      if (rng() >= success) continue;
      const sale = scenario.quantity === 'sales' && rng() < close;
      if (i < observed) {
        referrals++;
        if (sale) won++;
      } else if (scenario.quantity === 'referrals' || sale) actual++;
    }
    const successPost = posterior(INDUSTRY_SUCCESS_PRIOR, referrals, observed);
    const forecast =
      scenario.quantity === 'referrals'
        ? predictCount(successPost, size - observed)
        : projectSales(
            successPost,
            size - observed,
            posterior(INDUSTRY_CLOSE_PRIOR, won, referrals),
          );
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
