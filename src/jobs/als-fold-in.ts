// ALS answers for users an ALS version has no list for: their factors are solved against the version's stored item
// factors (one exact solve of the job's normal equations, no retraining), centred by the version's stored mean
// user row, and compared by cosine, as the job compares users, with every user folded in the same way.
import type { StoredAlsFactors } from '../graph/similarity-repository';
import { blendWeight } from '../similarity/blend';
import { l2NormalizeRows } from '../similarity/csr';
import { TopK } from '../similarity/heap';
import { idf as idfOf, tfidfWith } from '../similarity/weighting';
import type { Csr, DenseMatrix } from '../similarity/types';
import { canonicalColumns, type AlsParams } from './als-model';
import type { UserItems } from './explain';
import type { LiveNeighbour } from './live';
import type { Signals } from './signals';

/** How the job turned a user's views and follows into confidence - 1 (see alsMatrix). */
export interface AlsConfidence {
  alpha: number;
  confidence: AlsParams['confidence'];
  interestWeight: number;
  /** Mean of log1p(seconds) over every view of the training data (the 'log' confidence divides by it). */
  viewLogMean: number;
}

/** What a version keeps for folding users in. */
export interface AlsVersionFactors {
  factors: number;
  regularization: number;
  confidence: AlsConfidence;
  /** Item keys ('c:' + course id, 't:' + tag) in the row order of itemFactors. */
  items: string[];
  /** items x factors, row-major. */
  itemFactors: Float32Array;
  /** The mean user factor row the job subtracted before the cosine; null when it did not centre. */
  mean: Float32Array | null;
  /** The interests' blend weight the job scored with (AlsParams.blend; 0 or absent: factors alone). */
  blend: number;
  /** The significance weighting of the blended interests' cosine (AlsParams.blendShrink; 0: plain cosine). */
  blendShrink: number;
}

const courseKey = (id: string) => `c:${id}`;
const tagKey = (name: string) => `t:${name}`;

/**
 * The item keys of the job's ALS columns in canonical order: a one-row probe holding column j + 1 at column j,
 * passed through canonicalColumns itself, says where each column went (so the order cannot drift from the job's).
 */
export function alsColumnKeys(s: Signals, cols: number): string[] {
  const views = s.views?.cols ?? 0;
  const probe: Csr = {
    rows: 1,
    cols,
    indptr: Int32Array.from([0, cols]),
    indices: Int32Array.from({ length: cols }, (_, j) => j),
    data: Float32Array.from({ length: cols }, (_, j) => j + 1),
  };
  const moved = canonicalColumns(probe, s);
  const keys = new Array<string>(cols);
  for (let p = 0; p < cols; p++) {
    const from = moved.data[p]! - 1;
    keys[moved.indices[p]!] =
      from < views ? courseKey(s.courses.names[from] ?? '') : tagKey(s.tags.names[from - views] ?? '');
  }
  return keys;
}

/** Mean of log1p over the entries of m (1 when there are none), as alsMatrix computes it for 'log' confidence. */
function logMean(m: Csr | undefined): number {
  const n = m?.indptr[m.rows] ?? 0;
  let sum = 0;
  for (let p = 0; p < n; p++) sum += Math.log1p(m!.data[p]!);
  return n > 0 && sum > 0 ? sum / n : 1;
}

/** What a version of the ALS model keeps, from the run's signals, settings and trained factors. */
export function alsVersionFactors(
  s: Signals,
  p: Pick<
    AlsParams,
    'factors' | 'regularization' | 'alpha' | 'confidence' | 'interestWeight' | 'blend' | 'blendShrink'
  >,
  trained: { items: DenseMatrix; mean: Float64Array | null },
): AlsVersionFactors {
  return {
    factors: trained.items.cols,
    regularization: p.regularization,
    confidence: {
      alpha: p.alpha,
      confidence: p.confidence,
      interestWeight: p.interestWeight,
      viewLogMean: logMean(s.views),
    },
    items: alsColumnKeys(s, trained.items.rows),
    itemFactors: Float32Array.from(trained.items.data.subarray(0, trained.items.rows * trained.items.cols)),
    mean: trained.mean === null ? null : Float32Array.from(trained.mean),
    blend: p.blend,
    blendShrink: p.blendShrink,
  };
}

export function toBase64(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function fromBase64(text: string, length: number, what: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== length * 4) {
    throw new Error(`${what}: expected ${length} float32 values (${length * 4} bytes), got ${bytes.length} bytes`);
  }
  const out = new Float32Array(length);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export function encodeAlsFactors(v: AlsVersionFactors): StoredAlsFactors {
  return {
    factors: v.factors,
    items: v.items,
    itemFactors: toBase64(v.itemFactors),
    mean: v.mean === null ? null : toBase64(v.mean),
    settings: JSON.stringify({
      regularization: v.regularization,
      confidence: v.confidence,
      blend: v.blend,
      blendShrink: v.blendShrink,
    }),
  };
}

export function decodeAlsFactors(s: StoredAlsFactors): AlsVersionFactors {
  const settings = JSON.parse(s.settings) as {
    regularization: number;
    confidence: AlsConfidence;
    blend?: number;
    blendShrink?: number;
  };
  return {
    factors: s.factors,
    regularization: settings.regularization,
    confidence: settings.confidence,
    items: s.items,
    itemFactors: fromBase64(s.itemFactors, s.items.length * s.factors, 'AlsFactors.itemFactors'),
    mean: s.mean === null ? null : fromBase64(s.mean, s.factors, 'AlsFactors.mean'),
    // Versions written before the blend have none.
    blend: typeof settings.blend === 'number' && settings.blend > 0 ? settings.blend : 0,
    // And versions written before the shrink blended the plain cosine.
    blendShrink: typeof settings.blendShrink === 'number' && settings.blendShrink > 0 ? settings.blendShrink : 0,
  };
}

/** A user's entries (item key, confidence - 1) as the job's alsMatrix builds its row. */
export function confidenceEntries(
  items: Pick<UserItems, 'views' | 'interests'>,
  c: AlsConfidence,
): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const v of items.views) {
    const value = c.confidence === 'binary' ? c.alpha : (c.alpha * Math.log1p(Math.max(0, v.seconds))) / c.viewLogMean;
    out.push([courseKey(v.course), value]);
  }
  if (c.interestWeight > 0) for (const t of items.interests) out.push([tagKey(t), c.alpha * c.interestWeight]);
  return out;
}

/**
 * Users folded into one ALS version: every user of a signals snapshot, and any user asked about, gets the factors
 * that minimise the job's objective against the fixed item factors, minus the version's mean row, at unit length.
 */
export class AlsFoldIn {
  readonly users: number;
  private readonly f: number;
  private readonly y: Float32Array;
  /** Y^T Y + lambda I, f x f. */
  private readonly gram: Float64Array;
  private readonly rowOf = new Map<string, number>();
  private readonly unit: Float32Array;
  private readonly valid: Uint8Array;
  private readonly handles: Float64Array;
  // Scratch of one solve.
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  /** With a blend: each user's unit TF-IDF interests by tag (postings), and the tags' idf, from the snapshot. */
  private readonly interests: { postings: Map<string, Array<[number, number]>>; idf: Map<string, number> } | null;

  constructor(
    private readonly v: AlsVersionFactors,
    signals: Signals,
  ) {
    const f = v.factors;
    this.f = f;
    this.y = v.itemFactors;
    v.items.forEach((key, i) => this.rowOf.set(key, i));
    this.gram = new Float64Array(f * f);
    for (let i = 0; i < v.items.length; i++) {
      const base = i * f;
      for (let r = 0; r < f; r++) {
        const yr = this.y[base + r]!;
        if (yr === 0) continue;
        for (let c = r; c < f; c++) this.gram[r * f + c]! += yr * this.y[base + c]!;
      }
    }
    for (let r = 0; r < f; r++) {
      for (let c = 0; c < r; c++) this.gram[r * f + c] = this.gram[c * f + r]!;
      this.gram[r * f + r]! += v.regularization;
    }
    this.a = new Float64Array(f * f);
    this.b = new Float64Array(f);
    // Every user of the snapshot, folded in the same way (rows without a known item stay invalid).
    const n = signals.users.size;
    this.users = n;
    this.handles = signals.users.handles;
    this.unit = new Float32Array(n * f);
    this.valid = new Uint8Array(n);
    const courseRow = Int32Array.from(signals.courses.names, (name) => this.rowOf.get(courseKey(name)) ?? -1);
    const tagRow = Int32Array.from(signals.tags.names, (name) => this.rowOf.get(tagKey(name)) ?? -1);
    const entries: Array<[number, number]> = [];
    const c = v.confidence;
    for (let r = 0; r < n; r++) {
      entries.length = 0;
      const views = signals.views;
      if (views !== undefined && r < views.rows) {
        for (let p = views.indptr[r]!; p < views.indptr[r + 1]!; p++) {
          const row = courseRow[views.indices[p]!]!;
          if (row < 0) continue;
          const value =
            c.confidence === 'binary' ? c.alpha : (c.alpha * Math.log1p(Math.max(0, views.data[p]!))) / c.viewLogMean;
          entries.push([row, value]);
        }
      }
      const interests = signals.interests;
      if (c.interestWeight > 0 && interests !== undefined && r < interests.rows) {
        for (let p = interests.indptr[r]!; p < interests.indptr[r + 1]!; p++) {
          const row = tagRow[interests.indices[p]!]!;
          if (row >= 0) entries.push([row, c.alpha * c.interestWeight]);
        }
      }
      const x = this.solve(entries);
      if (x !== null) {
        this.unit.set(x, r * f);
        this.valid[r] = 1;
      }
    }
    this.interests = v.blend > 0 ? interestPostings(signals) : null;
  }

  /**
   * The user's factors for entries (item row, confidence - 1): (G + sum c y y^T) x = sum (1 + c) y by Cholesky,
   * then centred and scaled to unit length; null without entries (the job gives such users no neighbours).
   */
  solve(entries: ReadonlyArray<readonly [number, number]>): Float32Array | null {
    if (entries.length === 0) return null;
    const { f, y, a, b } = this;
    a.set(this.gram);
    b.fill(0);
    for (const [row, c] of entries) {
      const base = row * f;
      for (let r = 0; r < f; r++) {
        const yr = y[base + r]!;
        b[r]! += (1 + c) * yr;
        if (yr === 0 || c === 0) continue;
        const cyr = c * yr;
        for (let k = r; k < f; k++) a[r * f + k]! += cyr * y[base + k]!;
      }
    }
    // Cholesky on the upper triangle: A = U^T U, then U^T z = b, U x = z (A is symmetric positive definite).
    for (let i = 0; i < f; i++) {
      for (let j = i; j < f; j++) {
        let s = a[i * f + j]!;
        for (let k = 0; k < i; k++) s -= a[k * f + i]! * a[k * f + j]!;
        if (i === j) {
          if (!(s > 0)) return null;
          a[i * f + i] = Math.sqrt(s);
        } else a[i * f + j] = s / a[i * f + i]!;
      }
    }
    for (let i = 0; i < f; i++) {
      let s = b[i]!;
      for (let k = 0; k < i; k++) s -= a[k * f + i]! * b[k]!;
      b[i] = s / a[i * f + i]!;
    }
    for (let i = f - 1; i >= 0; i--) {
      let s = b[i]!;
      for (let k = i + 1; k < f; k++) s -= a[i * f + k]! * b[k]!;
      b[i] = s / a[i * f + i]!;
    }
    const mean = this.v.mean;
    let norm = 0;
    for (let i = 0; i < f; i++) {
      if (mean !== null) b[i]! -= mean[i]!;
      norm += b[i]! * b[i]!;
    }
    if (!(norm > 0)) return null;
    const inv = 1 / Math.sqrt(norm);
    return Float32Array.from(b, (x) => x * inv);
  }

  /** The folded-in unit factors of a user's items (items the version does not know are left out). */
  vector(items: Pick<UserItems, 'views' | 'interests'>): Float32Array | null {
    const entries: Array<[number, number]> = [];
    for (const [key, value] of confidenceEntries(items, this.v.confidence)) {
      const row = this.rowOf.get(key);
      if (row !== undefined) entries.push([row, value]);
    }
    return this.solve(entries);
  }

  /**
   * The k users most like `items` by the cosine of centred factors (score > 0, rounded to float32 and capped at
   * 1 as the job's search does), best first, ties by ascending handle; `skip` leaves users out.
   */
  neighbours(
    items: Pick<UserItems, 'views' | 'interests'>,
    k: number,
    skip: (handle: number) => boolean,
  ): LiveNeighbour[] {
    const q = this.vector(items);
    if (k <= 0) return [];
    const { f, unit, valid, handles } = this;
    // The interests' cosine with every user who shares a tag, when the version blends them in (as the job does,
    // with blendWeight; here over every user rather than the job's best candidates of each search).
    const shared = this.interests !== null ? this.interestCosines(items.interests) : null;
    const w = shared !== null ? blendWeight(this.v.blend, items.views.length) : 0;
    if (q === null && shared === null) return [];
    const top = new TopK(k);
    for (let r = 0; r < this.users; r++) {
      let dot = 0;
      if (q !== null && valid[r] === 1) {
        const base = r * f;
        for (let j = 0; j < f; j++) dot += q[j]! * unit[base + j]!;
      }
      const s =
        shared === null ? Math.min(1, Math.fround(dot)) : Math.fround((dot + w * (shared.get(r) ?? 0)) / (1 + w));
      if (!(s > 0) || s < top.threshold || skip(handles[r]!)) continue;
      top.offer(r, s, handles[r]!);
    }
    const index = new Int32Array(k);
    const score = new Float32Array(k);
    top.drain(index, score, 0);
    const out: LiveNeighbour[] = [];
    for (let j = 0; j < k && index[j]! >= 0; j++) out.push({ handle: handles[index[j]!]!, score: score[j]! });
    return out;
  }

  /**
   * Cosine of a user's TF-IDF interests with every snapshot user's who shares one (by row), times shared / (shared
   * + blendShrink) as the job's blend weighs it; null without any.
   */
  private interestCosines(tags: readonly string[]): Map<number, number> | null {
    const { postings, idf } = this.interests!;
    const known = [...new Set(tags)].filter((t) => idf.has(t));
    let norm = 0;
    for (const t of known) norm += idf.get(t)! ** 2;
    if (!(norm > 0)) return null;
    const inv = 1 / Math.sqrt(norm);
    const dots = new Map<number, number>();
    const shared = new Map<number, number>();
    for (const t of known) {
      const q = idf.get(t)! * inv;
      for (const [r, x] of postings.get(t)!) {
        dots.set(r, (dots.get(r) ?? 0) + q * x);
        shared.set(r, (shared.get(r) ?? 0) + 1);
      }
    }
    const shrink = this.v.blendShrink;
    if (shrink > 0) for (const [r, d] of dots) dots.set(r, (d * shared.get(r)!) / (shared.get(r)! + shrink));
    return dots;
  }
}

/**
 * The interests model's weighting of a snapshot (TF-IDF, rows at unit length) as postings by tag name, and each tag's
 * idf. The job's blend used its run's idf; this one is the snapshot's, which drifts with the data until the next run.
 */
function interestPostings(s: Signals): { postings: Map<string, Array<[number, number]>>; idf: Map<string, number> } {
  const postings = new Map<string, Array<[number, number]>>();
  const idf = new Map<string, number>();
  const m = s.interests;
  if (m === undefined) return { postings, idf };
  const w = idfOf(m);
  const weighted = l2NormalizeRows(tfidfWith(m, w));
  for (let c = 0; c < m.cols; c++) if (w[c]! > 0) idf.set(s.tags.names[c]!, w[c]!);
  for (let r = 0; r < weighted.rows; r++) {
    for (let p = weighted.indptr[r]!; p < weighted.indptr[r + 1]!; p++) {
      const name = s.tags.names[weighted.indices[p]!]!;
      let list = postings.get(name);
      if (list === undefined) postings.set(name, (list = []));
      list.push([r, weighted.data[p]!]);
    }
  }
  return { postings, idf };
}
