import { betaQuantile, logGamma } from './stats';

/**
 * Projections with honest uncertainty: a campaign's rate (success rate or close rate) starts from
 * a stated prior belief, which the campaign's own results gradually outweigh (Beta-binomial).
 */

/**
 * A prior belief about a rate: its mean and how many observations it is worth ("strength",
 * the pseudo-observations alpha + beta of the Beta prior). `source` says where the belief comes
 * from, so that a report can show it.
 */
export interface Prior {
  mean: number;
  strength: number;
  source: string;
}

/**
 * The industry's success rate (referrals ÷ dials): about 8%, worth 50 dials of evidence — enough
 * to steady a brand-new campaign, little enough that a few hundred dials of its own take over.
 */
export const INDUSTRY_SUCCESS_PRIOR: Prior = {
  mean: 0.08,
  strength: 50,
  source: 'industry: about 8% of dials become referrals',
};

/**
 * The industry's close rate (won ÷ referrals with a final feedback): about 20%, worth 20
 * referrals of evidence.
 */
export const INDUSTRY_CLOSE_PRIOR: Prior = {
  mean: 0.2,
  strength: 20,
  source: 'industry: about 20% of referrals close',
};

/**
 * The chance that a dial settles its contact (someone answers, and the contact is done), before a
 * list has data of its own: about one dial in three, worth 30 dials of evidence.
 */
export const SETTLE_PRIOR: Prior = {
  mean: 0.3,
  strength: 30,
  source: 'assumed: about 1 dial in 3 settles its contact',
};

function assertCount(name: string, x: number): void {
  if (!Number.isInteger(x) || x < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${x}`);
  }
}

function assertSuccesses(k: number, n: number): void {
  assertCount('n', n);
  assertCount('k', k);
  if (k > n) throw new RangeError(`k (${k}) must not exceed n (${n})`);
}

function assertPrior(prior: Prior): void {
  if (!(prior.mean > 0 && prior.mean < 1)) {
    throw new RangeError(`a prior's mean must be strictly between 0 and 1, got ${prior.mean}`);
  }
  if (!(prior.strength > 0) || !Number.isFinite(prior.strength)) {
    throw new RangeError(`a prior's strength must be positive, got ${prior.strength}`);
  }
}

/**
 * A prior built from the client's other campaigns (k successes out of n): their rate k/n, worth
 * as many observations as they had but at most `maxStrength`, so that other campaigns never drown
 * out this one's data. With no history (n = 0) the fallback prior is returned unchanged. A history
 * of all failures or all successes (k = 0 or k = n) would put the mean at exactly 0 or 1, a belief
 * no data could move; there the mean is taken as (k + ½)/(n + 1) instead.
 */
export function priorFromHistory(
  k: number,
  n: number,
  fallback: Prior,
  source: string,
  maxStrength = 50,
): Prior {
  assertSuccesses(k, n);
  assertPrior(fallback);
  if (!(maxStrength > 0)) throw new RangeError(`maxStrength must be positive, got ${maxStrength}`);
  if (n === 0) return fallback;
  const mean = k === 0 || k === n ? (k + 0.5) / (n + 1) : k / n;
  return { mean, strength: Math.min(n, maxStrength), source };
}

/**
 * What is believed about a rate after seeing k successes in n trials: Beta(alpha, beta) with
 * alpha = prior successes + k and beta = prior failures + (n − k). `mean` is alpha/(alpha + beta),
 * a blend of the prior mean and k/n. `dataWeight` = n/(n + prior strength) is the data's share of
 * that blend: 0 with no data, ½ once the data matches the prior's strength, approaching 1.
 */
export interface Posterior {
  alpha: number;
  beta: number;
  mean: number;
  prior: Prior;
  dataWeight: number;
}

/**
 * Updates the prior with k successes out of n trials (see Posterior). Throws a RangeError for a
 * prior mean outside (0, 1), a non-positive strength, or counts that are not 0 ≤ k ≤ n integers.
 */
export function posterior(prior: Prior, k: number, n: number): Posterior {
  assertPrior(prior);
  assertSuccesses(k, n);
  const alpha = prior.mean * prior.strength + k;
  const beta = (1 - prior.mean) * prior.strength + (n - k);
  return {
    alpha,
    beta,
    mean: alpha / (alpha + beta),
    prior,
    dataWeight: n / (n + prior.strength),
  };
}

/**
 * A projected count: its expected value and the 80% and 95% ranges (whole numbers) that the
 * actual count should fall in.
 */
export interface Interval {
  expected: number;
  lower80: number;
  upper80: number;
  lower95: number;
  upper95: number;
}

// Read once: inside Jest's sandbox every `Math.x` in a hot loop is a slow global lookup.
const { exp, log } = Math;

/** Above this many trials the exact Beta-binomial sum gives way to an approximation. */
const EXACT_TRIALS_LIMIT = 200000;

/** The log of P(X = 0) for X ~ Beta-binomial(trials, alpha, beta): B(alpha, beta + trials)/B(alpha, beta). */
function logPmfAtZero(alpha: number, beta: number, trials: number): number {
  return (
    logGamma(beta + trials) +
    logGamma(alpha + beta) -
    logGamma(beta) -
    logGamma(alpha + beta + trials)
  );
}

/** log P(X = k+1) − log P(X = k) for the Beta-binomial. */
function logPmfStep(alpha: number, beta: number, trials: number, k: number): number {
  return log(((trials - k) * (k + alpha)) / ((k + 1) * (trials - k - 1 + beta)));
}

/**
 * Discrete quantiles of the Beta-binomial(trials, alpha, beta): for each probability p, the
 * smallest count c with P(X ≤ c) ≥ p. The whole pmf is computed by its recurrence in log space
 * and normalized, so rounding cannot push the total away from 1.
 */
function betaBinomialQuantiles(
  alpha: number,
  beta: number,
  trials: number,
  ps: number[],
): number[] {
  const logPmf = new Float64Array(trials + 1);
  logPmf[0] = logPmfAtZero(alpha, beta, trials);
  let max = logPmf[0];
  for (let k = 0; k < trials; k++) {
    logPmf[k + 1] = logPmf[k] + logPmfStep(alpha, beta, trials, k);
    if (logPmf[k + 1] > max) max = logPmf[k + 1];
  }
  let total = 0;
  for (let k = 0; k <= trials; k++) total += exp(logPmf[k] - max);
  const order = ps.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p);
  const result = new Array<number>(ps.length).fill(trials);
  let cumulative = 0;
  let next = 0;
  for (let k = 0; k <= trials && next < order.length; k++) {
    cumulative += exp(logPmf[k] - max);
    while (next < order.length && cumulative >= order[next].p * total) {
      result[order[next].i] = k;
      next++;
    }
  }
  return result;
}

/**
 * The number of successes to expect in `trials` future trials (dials, or referrals awaiting a
 * decision) given what is believed about the rate: the Beta-binomial posterior predictive, which
 * counts both the luck of the draw and the remaining doubt about the rate itself.
 *
 * expected = trials × posterior mean. The bounds are the distribution's 10%/90% (80% range) and
 * 2.5%/97.5% (95% range) quantiles, as whole numbers:
 * - up to 200,000 trials, exactly, from the probability of every count (the pmf recurrence in log
 *   space);
 * - beyond that (summing every count gets slow, and the doubt about the rate dominates the luck of
 *   the draw), approximately: trials × a quantile of the rate's Beta, rounded outward. To keep the
 *   luck of the draw in when the posterior is itself huge, that Beta is given the same mean and
 *   variance as the share X/trials: an effective strength (alpha + beta + 1)·trials/(alpha + beta +
 *   trials) − 1, which is just alpha + beta when the trials dwarf it.
 * Because counts are whole numbers, a range may otherwise miss a fractional expected value (e.g.
 * 0.08 expected from one dial, yet "0 to 0"); the ranges are therefore widened to contain
 * floor(expected) and ceil(expected), which only ever matters for tiny counts.
 * trials = 0 gives all zeros. Throws a RangeError unless trials is a non-negative integer.
 */
export function predictCount(post: Pick<Posterior, 'alpha' | 'beta'>, trials: number): Interval {
  assertCount('trials', trials);
  if (!(post.alpha > 0 && post.beta > 0)) {
    throw new RangeError(`a posterior needs positive alpha and beta`);
  }
  if (trials === 0) return { expected: 0, lower80: 0, upper80: 0, lower95: 0, upper95: 0 };
  const mean = post.alpha / (post.alpha + post.beta);
  const expected = trials * mean;
  let q: number[];
  const ps = [0.1, 0.9, 0.025, 0.975];
  if (trials <= EXACT_TRIALS_LIMIT) {
    q = betaBinomialQuantiles(post.alpha, post.beta, trials, ps);
  } else {
    const s = post.alpha + post.beta;
    const strength = ((s + 1) * trials) / (s + trials) - 1;
    q = ps.map((p, i) => {
      const x = trials * betaQuantile(p, mean * strength, (1 - mean) * strength);
      return i % 2 === 0 ? Math.floor(x) : Math.ceil(x);
    });
  }
  const floorExpected = Math.floor(expected + 1e-9);
  const ceilExpected = Math.ceil(expected - 1e-9);
  return {
    expected,
    lower80: Math.min(q[0], floorExpected),
    upper80: Math.max(q[1], ceilExpected),
    lower95: Math.min(q[2], q[0], floorExpected),
    upper95: Math.max(q[3], q[1], ceilExpected),
  };
}

/**
 * P(X ≥ target) for X ~ Beta-binomial(trials, alpha, beta), as 1 − Σ_{c < target} P(X = c): only
 * `target` terms, however many trials.
 */
export function probabilityAtLeast(
  alpha: number,
  beta: number,
  trials: number,
  target: number,
): number {
  if (target <= 0) return 1;
  if (trials < target) return 0;
  let logP = logPmfAtZero(alpha, beta, trials);
  let below = exp(logP);
  for (let c = 0; c < target - 1; c++) {
    logP += logPmfStep(alpha, beta, trials, c);
    below += exp(logP);
  }
  return Math.max(0, 1 - below);
}

/** Searches stop here: past 100 million trials the answer is reported as Infinity. */
const MAX_TRIALS = 1e8;

/**
 * How many trials (e.g. dials) it takes to reach `target` successes (e.g. referrals).
 * `expected` = target ÷ posterior mean, the plain average answer. `atConfidence` is the planning
 * answer: the fewest trials t such that the chance of at least `target` successes in t trials is
 * at least `confidence` (default 80%), allowing for both luck and the doubt about the rate. It is
 * found by doubling t and then bisecting, with the Beta-binomial CDF; beyond 100 million trials it
 * is Infinity (the target is out of practical reach). A target of 0 needs 0 trials.
 * Throws a RangeError unless target is a non-negative integer and 0 < confidence < 1.
 */
export function trialsForTarget(
  post: Posterior,
  target: number,
  confidence = 0.8,
): { expected: number; atConfidence: number } {
  assertCount('target', target);
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be strictly between 0 and 1, got ${confidence}`);
  }
  if (!(post.alpha > 0 && post.beta > 0)) {
    throw new RangeError(`a posterior needs positive alpha and beta`);
  }
  if (target === 0) return { expected: 0, atConfidence: 0 };
  const mean = post.alpha / (post.alpha + post.beta);
  const expected = target / mean;
  const enough = (t: number) => probabilityAtLeast(post.alpha, post.beta, t, target) >= confidence;
  if (target > MAX_TRIALS) return { expected, atConfidence: Infinity };
  if (enough(target)) return { expected, atConfidence: target };
  let low = target; // not enough
  let high = Math.min(2 * target, MAX_TRIALS);
  while (!enough(high)) {
    if (high >= MAX_TRIALS) return { expected, atConfidence: Infinity };
    low = high;
    high = Math.min(2 * high, MAX_TRIALS);
  }
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (enough(mid)) high = mid;
    else low = mid;
  }
  return { expected, atConfidence: high };
}

/** The mean and the mean of the square of a Beta(alpha, beta). */
function betaMoments({ alpha, beta }: Pick<Posterior, 'alpha' | 'beta'>): [number, number] {
  const s = alpha + beta;
  return [alpha / s, (alpha * (alpha + 1)) / (s * (s + 1))];
}

/**
 * Sales to expect from `trials` more dials: each dial ends in a sale with chance p·c, p the
 * success rate and c the close rate, both uncertain (their posteriors, independent). The doubt
 * about p·c is carried by the Beta with its mean and variance (E[pc] = E[p]·E[c] and
 * E[(pc)²] = E[p²]·E[c²]), and the count is that Beta's Beta-binomial, like predictCount's: the two
 * doubts compound once. (Taking the low end of the close count at the low end of the referral
 * count instead stacks two tails: its "80%" range held the truth about 93% of the time.)
 */
export function projectSales(success: Posterior, trials: number, close: Posterior): Interval {
  const [p, p2] = betaMoments(success);
  const [c, c2] = betaMoments(close);
  const mean = p * c;
  // Less than mean·(1 − mean) for any two Betas (pc lies strictly between 0 and 1): strength > 0.
  const variance = p2 * c2 - mean * mean;
  const strength = (mean * (1 - mean)) / variance - 1;
  return predictCount({ alpha: mean * strength, beta: (1 - mean) * strength }, trials);
}

/**
 * The dials a list's open contacts will still take. A dial settles its contact with chance h
 * (learnt from the list: contacts settled before their last attempt ÷ dials made while another
 * attempt was left, from SETTLE_PRIOR); a contact with r attempts left then takes
 * 1 + (1 − h) + … + (1 − h)^(r−1) = (1 − (1 − h)^r) / h dials, its last attempt being made
 * whatever happens. Early on, the contacts closed so far are mostly those settled at the first
 * dial, so averaging the attempts closed contacts took (as an earlier version did) undercounts.
 */
export function expectedDialsLeft(list: {
  closedEarly: number;
  earlyDials: number;
  openByAttemptsLeft: [number, number][];
}): { dials: number; settleRate: Posterior } {
  const settleRate = posterior(SETTLE_PRIOR, list.closedEarly, list.earlyDials);
  const h = settleRate.mean;
  let dials = 0;
  for (const [left, contacts] of list.openByAttemptsLeft) {
    dials += (contacts * (1 - (1 - h) ** left)) / h;
  }
  return { dials: Math.round(dials), settleRate };
}
