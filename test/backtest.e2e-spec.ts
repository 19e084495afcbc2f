import { runBacktest } from '../scripts/backtest';

/**
 * The projections' ranges are calibrated: over 2,000 simulated campaigns per quantity (true rates
 * spread around the industry prior), the "80%" range holds the actual count about 80% of the time
 * and the "95%" range about 95% of the time.
 */
describe('projection backtest', () => {
  const result = runBacktest({ campaigns: 2000, seed: 20261123 });

  it.each(['referrals', 'sales'] as const)('calibrates the %s ranges', (quantity) => {
    const row = result.rows.find((r) => r.quantity === quantity);
    expect(row).toBeDefined();
    if (!row) return;
    expect(row.campaigns).toBe(2000);
    expect(row.coverage80).toBeGreaterThanOrEqual(0.75);
    expect(row.coverage80).toBeLessThanOrEqual(0.85);
    expect(row.coverage95).toBeGreaterThanOrEqual(0.92);
    expect(row.coverage95).toBeLessThanOrEqual(0.98);
  });

  it('prints a markdown table of the coverage', () => {
    const lines = result.table.split('\n');
    expect(lines[0]).toBe(
      '| quantity | campaigns | 80% interval contains the truth | 95% interval contains the truth |',
    );
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^\| referrals \| 2000 \| \d+\.\d% \| \d+\.\d% \|$/);
    expect(lines[3]).toMatch(/^\| sales \| 2000 \| \d+\.\d% \| \d+\.\d% \|$/);
  });

  it('is reproducible from its seed', () => {
    expect(runBacktest({ campaigns: 50, seed: 7 })).toEqual(
      runBacktest({ campaigns: 50, seed: 7 }),
    );
  });
});
