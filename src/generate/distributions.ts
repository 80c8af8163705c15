// Sampling helpers: weighted choice in O(1) (Walker's alias method) and inverse CDFs given by
// calibration points, so that the known quantiles of the real data are reproduced directly.
import type { Rng } from './prng';

/** Weighted choice among 0..n-1 in constant time. */
export class AliasTable {
  readonly size: number;
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;
  private readonly weights: Float64Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw new RangeError('AliasTable: expected at least one weight, got none');
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i] ?? 0;
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`AliasTable: weight ${i} is ${w}`);
      total += w;
    }
    if (total <= 0) throw new RangeError('AliasTable: expected a positive total weight, got 0');
    this.size = n;
    this.weights = Float64Array.from({ length: n }, (_, i) => (weights[i] ?? 0) / total);
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = ((weights[i] ?? 0) * n) / total;
      ((scaled[i] ?? 0) < 1 ? small : large).push(i);
    }
    while (small.length > 0 && large.length > 0) {
      const s = small.pop() as number;
      const l = large.pop() as number;
      this.prob[s] = scaled[s] ?? 0;
      this.alias[s] = l;
      scaled[l] = (scaled[l] ?? 0) + (scaled[s] ?? 0) - 1;
      ((scaled[l] ?? 0) < 1 ? small : large).push(l);
    }
    for (const i of large) this.prob[i] = 1;
    for (const i of small) this.prob[i] = 1;
  }

  /** The normalised weights. */
  probabilities(): Float64Array {
    return this.weights;
  }

  sample(rng: Rng): number {
    const u = rng.float() * this.size;
    const i = Math.floor(u);
    return u - i < (this.prob[i] ?? 1) ? i : (this.alias[i] ?? i);
  }
}

/** A discrete distribution on 1..n given by exact probabilities for small values and log-interpolated CDF points above. */
export class CountDistribution {
  private readonly head: AliasTable | undefined;
  private readonly headMass: number;
  private readonly points: readonly (readonly [number, number])[];

  /**
   * @param exact probabilities of the values 1..exact.length
   * @param tail CDF points [value, P(X <= value)] above the exact part, increasing, the last at 1
   */
  constructor(exact: readonly number[], tail: readonly (readonly [number, number])[]) {
    this.headMass = exact.reduce((a, b) => a + b, 0);
    this.head = exact.length > 0 ? new AliasTable(exact) : undefined;
    this.points = [[exact.length, this.headMass], ...tail];
  }

  sample(rng: Rng): number {
    const u = rng.float();
    if (this.head !== undefined && u < this.headMass) return this.head.sample(rng) + 1;
    for (let i = 1; i < this.points.length; i++) {
      const [x1, p1] = this.points[i] as readonly [number, number];
      if (u <= p1) {
        const [x0, p0] = this.points[i - 1] as readonly [number, number];
        const t = p1 > p0 ? (u - p0) / (p1 - p0) : 1;
        const lo = Math.log(Math.max(x0, 0.5) + 0.5);
        const v = Math.exp(lo + t * (Math.log(x1 + 0.5) - lo)) - 0.5;
        return Math.max(Math.floor(x0) + 1, Math.min(x1, Math.round(v)));
      }
    }
    return (this.points[this.points.length - 1] as readonly [number, number])[0];
  }
}

/** Weibull(shape k, scale lambda) by inversion. */
export function weibull(rng: Rng, k: number, lambda: number): number {
  let u = rng.float();
  while (u <= 0) u = rng.float();
  return lambda * Math.pow(-Math.log(u), 1 / k);
}
