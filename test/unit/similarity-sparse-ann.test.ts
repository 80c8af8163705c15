import { seededRandom, recallAgainst } from '../../src/similarity/als';
import { csrFromTriples, l2NormalizeRows } from '../../src/similarity/csr';
import {
  centroidBlock,
  evenRows,
  firstK,
  nearestCentroids,
  orthonormalizeColumns,
  projectionBasis,
  projectRows,
  refineNeighbours,
  reverseLists,
  sampledSparseRecall,
  sampleRows,
  sparseAnnTopK,
  sphericalKMeans,
} from '../../src/similarity/sparse-ann';
import { cosineTopK, cosineTopKSync, exactWork } from '../../src/similarity/topk';
import type { Csr, Neighbours } from '../../src/similarity/types';

/** rows users in `groups` communities; each follows ~`per` of its community's 40 columns, a few elsewhere. */
function planted(rows: number, groups: number, per: number, seed: number): Csr {
  const rand = seededRandom(seed);
  const cols = groups * 40;
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let u = 0; u < rows; u++) {
    if (u % 97 === 5) continue; // some users without any signal
    const g = u % groups;
    for (let q = 0; q < per; q++) {
      r.push(u);
      c.push(rand() < 0.85 ? g * 40 + Math.floor(rand() * 40) : Math.floor(rand() * cols));
      v.push(1 + Math.floor(rand() * 4));
    }
  }
  return csrFromTriples(rows, cols, Int32Array.from(r), Int32Array.from(c), Float32Array.from(v), 'max');
}

const keys = (n: number) => Float64Array.from({ length: n }, (_, i) => 1000 + ((i * 7919) % n));

/** Exact cosine of rows a and b (double precision over the row-normalised float32 entries). */
function cosine(mn: Csr, a: number, b: number): number {
  const row = new Map<number, number>();
  for (let p = mn.indptr[a]!; p < mn.indptr[a + 1]!; p++) row.set(mn.indices[p]!, mn.data[p]!);
  let dot = 0;
  for (let p = mn.indptr[b]!; p < mn.indptr[b + 1]!; p++) dot += (row.get(mn.indices[p]!) ?? 0) * mn.data[p]!;
  return dot;
}

function expectContract(nb: Neighbours, m: Csr, tieKey: Float64Array): void {
  const mn = l2NormalizeRows(m);
  for (let r = 0; r < nb.rows; r++) {
    const empty = m.indptr[r + 1] === m.indptr[r];
    for (let q = 0; q < nb.k; q++) {
      const j = nb.index[r * nb.k + q]!;
      if (j === -1) {
        // padding only at the end of a row
        for (let t = q; t < nb.k; t++) expect(nb.index[r * nb.k + t]).toBe(-1);
        break;
      }
      expect(empty).toBe(false);
      expect(j).not.toBe(r);
      const s = nb.score[r * nb.k + q]!;
      expect(s).toBeGreaterThan(0);
      expect(s).toBeCloseTo(cosine(mn, r, j), 5); // scores are exact cosines, not projected ones
      if (q > 0) {
        const prev = nb.score[r * nb.k + q - 1]!;
        expect(s).toBeLessThanOrEqual(prev);
        if (s === prev) expect(tieKey[j]!).toBeGreaterThan(tieKey[nb.index[r * nb.k + q - 1]!]!);
      }
    }
  }
}

describe('exact search on query rows', () => {
  const m = planted(300, 5, 8, 3);
  const tieKey = keys(300);

  test("the queried rows get the full search's lists, the others none (inline and on workers)", async () => {
    const all = cosineTopKSync(m, 7, { tieKey });
    const queryRows = Int32Array.from([0, 5, 17, 150, 299]);
    for (const nb of [cosineTopKSync(m, 7, { tieKey, queryRows }), await cosineTopK(m, 7, { tieKey, queryRows })]) {
      for (let r = 0; r < 300; r++) {
        const got = Array.from(nb.index.subarray(r * 7, (r + 1) * 7));
        if (queryRows.includes(r)) {
          expect(got).toEqual(Array.from(all.index.subarray(r * 7, (r + 1) * 7)));
          expect(Array.from(nb.score.subarray(r * 7, (r + 1) * 7))).toEqual(
            Array.from(all.score.subarray(r * 7, (r + 1) * 7)),
          );
        } else expect(got).toEqual(new Array(7).fill(-1));
      }
    }
    expect(() => cosineTopKSync(m, 7, { tieKey, queryRows: Int32Array.from([300]) })).toThrow(
      /query rows in \[0, 300\)/,
    );
  });

  test('exactWork is the sum over columns of the squared column counts', () => {
    const small = csrFromTriples(
      3,
      3,
      Int32Array.from([0, 0, 1, 2, 2]),
      Int32Array.from([0, 1, 0, 0, 2]),
      Float32Array.from([1, 1, 1, 1, 1]),
      'sum',
    );
    expect(exactWork(small)).toBe(3 * 3 + 1 + 1);
  });
});

describe('projection', () => {
  test('orthonormalizeColumns gives orthonormal columns and zeroes a dependent one', () => {
    const rand = seededRandom(5);
    const rows = 30;
    const cols = 4;
    const a = Float64Array.from({ length: rows * cols }, () => rand() - 0.5);
    for (let r = 0; r < rows; r++) a[r * cols + 3] = 2 * a[r * cols]! - a[r * cols + 1]!; // in the span of 0 and 1
    orthonormalizeColumns(a, rows, cols);
    for (let i = 0; i < cols; i++) {
      for (let j = 0; j < cols; j++) {
        let dot = 0;
        for (let r = 0; r < rows; r++) dot += a[r * cols + i]! * a[r * cols + j]!;
        expect(dot).toBeCloseTo(i === j && i !== 3 ? 1 : 0, 10);
      }
    }
  });

  test('rows in a subspace of at most dims dimensions keep their dot products exactly', () => {
    // 200 rows over 50 columns, every row a combination of the same 6 column patterns: rank 6.
    const rand = seededRandom(9);
    const patterns = Array.from({ length: 6 }, () => Array.from({ length: 50 }, () => (rand() < 0.2 ? rand() : 0)));
    const r: number[] = [];
    const c: number[] = [];
    const v: number[] = [];
    for (let u = 0; u < 200; u++) {
      const w = patterns.map(() => (rand() < 0.5 ? rand() : 0));
      for (let col = 0; col < 50; col++) {
        const x = patterns.reduce((s, p, i) => s + p[col]! * w[i]!, 0);
        if (x !== 0) {
          r.push(u);
          c.push(col);
          v.push(x);
        }
      }
    }
    const m = csrFromTriples(200, 50, Int32Array.from(r), Int32Array.from(c), Float32Array.from(v), 'sum');
    const basis = projectionBasis(m, 8, { seed: 1 });
    expect([basis.rows, basis.cols]).toEqual([50, 8]);
    const p = projectRows(m, basis);
    for (const [a, b] of [
      [0, 1],
      [3, 77],
      [150, 199],
    ] as const) {
      let projected = 0;
      for (let j = 0; j < 8; j++) projected += p.data[a * 8 + j]! * p.data[b * 8 + j]!;
      let exact = 0;
      for (let col = 0; col < 50; col++) {
        const find = (row: number) => {
          for (let q = m.indptr[row]!; q < m.indptr[row + 1]!; q++) if (m.indices[q] === col) return m.data[q]!;
          return 0;
        };
        exact += find(a) * find(b);
      }
      expect(projected).toBeCloseTo(exact, 3);
    }
  });

  test('with no more columns than dims the basis is the identity', () => {
    const m = planted(20, 1, 5, 1); // 40 columns
    const basis = projectionBasis(m, 64);
    expect([basis.rows, basis.cols]).toEqual([40, 40]);
    for (let i = 0; i < 40; i++) for (let j = 0; j < 40; j++) expect(basis.data[i * 40 + j]).toBe(i === j ? 1 : 0);
  });

  test('evenRows and sampleRows give distinct ascending rows in range', () => {
    expect(Array.from(evenRows(10, 4))).toEqual([0, 2, 5, 7]);
    expect(Array.from(evenRows(3, 5))).toEqual([0, 1, 2]);
    const s = sampleRows(1000, 100, 3);
    expect(new Set(s).size).toBe(100);
    expect(Array.from(s)).toEqual(Array.from(s).sort((a, b) => a - b));
    expect(Array.from(sampleRows(1000, 100, 3))).toEqual(Array.from(s));
    expect(Math.max(...s)).toBeLessThan(1000);
  });
});

describe('sparseAnnTopK', () => {
  const m = planted(1200, 12, 10, 7);
  const tieKey = keys(1200);

  test('finds nearly all exact neighbours, with exact scores and the ordering contract', async () => {
    const exact = await cosineTopK(m, 10, { tieKey });
    const approx = await sparseAnnTopK(m, 10, { tieKey, dims: 16, candidates: 20, seed: 3 });
    expect(approx.k).toBe(10);
    expect(approx.dims).toBe(16);
    expect(recallAgainst(exact, approx)).toBeGreaterThanOrEqual(0.95);
    expectContract(approx, m, tieKey);
    // users without signal get nobody
    expect(Array.from(approx.index.subarray(5 * 10, 6 * 10))).toEqual(new Array(10).fill(-1));
    // sampled recall agrees with the full figure's order of magnitude and is reproducible
    const sampled = await sampledSparseRecall(m, approx, { sample: 200, seed: 1, tieKey });
    expect(sampled).toBeGreaterThanOrEqual(0.9);
    expect(await sampledSparseRecall(m, approx, { sample: 200, seed: 1, tieKey, threads: 1 })).toBe(sampled);
  });

  test('refinement rounds raise recall from a poor start, and threads do not change the output', async () => {
    const exact = await cosineTopK(m, 10, { tieKey });
    const poor = await sparseAnnTopK(m, 10, { tieKey, dims: 2, candidates: 10, rounds: 0, listSize: 10, seed: 3 });
    const refined = await sparseAnnTopK(m, 10, { tieKey, dims: 2, candidates: 10, rounds: 3, listSize: 10, seed: 3 });
    const before = recallAgainst(exact, poor);
    const after = recallAgainst(exact, refined);
    expect(before).toBeLessThan(0.9);
    expect(after).toBeGreaterThan(before + 0.1);
    const inline = await sparseAnnTopK(m, 10, {
      tieKey,
      dims: 2,
      candidates: 10,
      rounds: 3,
      listSize: 10,
      seed: 3,
      threads: 1,
    });
    expect(Array.from(inline.index)).toEqual(Array.from(refined.index));
    expectContract(refined, m, tieKey);
  });

  test('a small matrix indexed without projection gives the exact lists', async () => {
    const small = planted(60, 3, 6, 2); // 120 columns, indexed as they are with dims 128
    const key = keys(60);
    const approx = await sparseAnnTopK(small, 5, { tieKey: key, dims: 128, candidates: 60 });
    expect(approx.dims).toBe(120);
    const exact = cosineTopKSync(small, 5, { tieKey: key });
    expect(Array.from(approx.index)).toEqual(Array.from(exact.index));
    expect(Array.from(approx.score)).toEqual(Array.from(exact.score));
  });

  test('candidates from partitions: exact scores, the contract, one partition = the exact search', async () => {
    const exact = await cosineTopK(m, 10, { tieKey });
    // One partition holding every row: each row is compared with all rows, so the lists are the exact ones.
    const whole = await sparseAnnTopK(m, 10, { tieKey, dims: 16, partitionRows: 10_000, rounds: 0, seed: 3 });
    expect(Array.from(whole.index)).toEqual(Array.from(exact.index));
    expect(Array.from(whole.score)).toEqual(Array.from(exact.score));
    // 24 partitions of ~50 rows, 2 probed: neighbours are found through the communities the partitions follow.
    const parts = await sparseAnnTopK(m, 10, { tieKey, dims: 16, partitionRows: 50, probes: 2, rounds: 0, seed: 3 });
    const refined = await sparseAnnTopK(m, 10, { tieKey, dims: 16, partitionRows: 50, probes: 2, seed: 3 });
    expect(recallAgainst(exact, parts)).toBeGreaterThan(0.5);
    expect(recallAgainst(exact, refined)).toBeGreaterThanOrEqual(0.95);
    expect(recallAgainst(exact, refined)).toBeGreaterThanOrEqual(recallAgainst(exact, parts));
    expectContract(refined, m, tieKey);
    expect(Array.from(refined.index.subarray(5 * 10, 6 * 10))).toEqual(new Array(10).fill(-1));
    const inline = await sparseAnnTopK(m, 10, { tieKey, dims: 16, partitionRows: 50, probes: 2, seed: 3, threads: 1 });
    expect(Array.from(inline.index)).toEqual(Array.from(refined.index));
  });

  test('bad arguments are refused, saying what was expected', async () => {
    await expect(sparseAnnTopK(m, 10, { tieKey: keys(3) })).rejects.toThrow(/expected 1200 tie keys/);
    await expect(sparseAnnTopK(m, -1, { tieKey })).rejects.toThrow(/non-negative integer/);
    await expect(sparseAnnTopK(m, 10, { tieKey, candidates: 0 })).rejects.toThrow(/candidates to be a positive/);
    expect(() => projectionBasis(m, 0)).toThrow(/dims to be a positive integer/);
  });
});

describe('partitions', () => {
  /** rows unit vectors in dim dimensions around `groups` seeded directions; row 7 is all zero (not valid). */
  function clustered(rows: number, dim: number, groups: number, seed: number) {
    const rand = seededRandom(seed);
    const centres = Array.from({ length: groups }, () => Array.from({ length: dim }, () => rand() - 0.5));
    const unit = new Float32Array(rows * dim);
    const valid = new Uint8Array(rows);
    for (let r = 0; r < rows; r++) {
      if (r === 7) continue;
      const x = centres[r % groups]!.map((c) => c + 0.15 * (rand() - 0.5));
      const norm = Math.hypot(...x);
      x.forEach((v, d) => (unit[r * dim + d] = v / norm));
      valid[r] = 1;
    }
    return { unit, valid };
  }

  test('centroidBlock ranks centroids by dot product, nearest first, -1 padded past the partitions', () => {
    const unit = Float32Array.from([1, 0, 0.6, 0.8]);
    const centroids = Float32Array.from([0, 1, 1, 0, 0.8, 0.6]);
    const out = new Int32Array(2 * 4);
    centroidBlock({
      unit,
      dim: 2,
      centroids,
      parts: 3,
      probes: 4,
      rows: Int32Array.from([0, 1]),
      start: 0,
      end: 2,
      out,
    });
    // row 0 = (1, 0): dots 0, 1, 0.8; row 1 = (0.6, 0.8): dots 0.8, 0.6, 0.96.
    expect(Array.from(out)).toEqual([1, 2, 0, -1, 2, 0, 1, -1]);
  });

  test('k-means finds planted groups, and workers give what one thread gives', async () => {
    const dim = 8;
    const { unit, valid } = clustered(2000, dim, 5, 4);
    const inline = await sphericalKMeans(unit, valid, dim, 5, { seed: 2, threads: 1 });
    const pooled = await sphericalKMeans(unit, valid, dim, 5, { seed: 2, threads: 2 });
    expect(Array.from(pooled)).toEqual(Array.from(inline));
    const near = await nearestCentroids(unit, valid, dim, inline, 5, 2, { threads: 1 });
    expect(Array.from(await nearestCentroids(unit, valid, dim, inline, 5, 2, { threads: 2 }))).toEqual(
      Array.from(near),
    );
    expect(Array.from(near.subarray(7 * 2, 8 * 2))).toEqual([-1, -1]);
    // Every planted group lands whole in one partition, and different groups in different ones.
    const homeOfGroup = new Map<number, number>();
    for (let r = 0; r < 2000; r++) {
      if (r === 7) continue;
      const home = near[r * 2]!;
      expect(home).toBeGreaterThanOrEqual(0);
      expect(homeOfGroup.get(r % 5) ?? home).toBe(home);
      homeOfGroup.set(r % 5, home);
    }
    expect(new Set(homeOfGroup.values()).size).toBe(5);
  });
});

describe('refineNeighbours', () => {
  test("one round never lowers a row's list and finds neighbours of neighbours", async () => {
    const m = planted(400, 4, 8, 11);
    const tieKey = keys(400);
    const mn = l2NormalizeRows(m);
    const exact = cosineTopKSync(m, 8, { tieKey });
    // A start from the exact lists' last two entries only: every row knows two good-but-not-best users.
    const start: Neighbours = {
      rows: 400,
      k: 8,
      index: new Int32Array(400 * 8).fill(-1),
      score: new Float32Array(400 * 8),
    };
    for (let r = 0; r < 400; r++) {
      for (let q = 0; q < 2; q++) {
        start.index[r * 8 + q] = exact.index[r * 8 + 6 + q]!;
        start.score[r * 8 + q] = exact.score[r * 8 + 6 + q]!;
      }
    }
    const once = await refineNeighbours(mn, start, { rounds: 1, tieKey, threads: 1 });
    for (let r = 0; r < 400; r++) {
      for (let q = 0; q < 2; q++) expect(once.score[r * 8 + q]!).toBeGreaterThanOrEqual(start.score[r * 8 + q]!);
    }
    expect(recallAgainst(exact, start)).toBeCloseTo(0.25, 2);
    expect(recallAgainst(exact, once)).toBeGreaterThan(0.45);
    const { revPtr, revIdx, revFresh } = reverseLists(start, new Uint8Array(400 * 8).fill(1));
    expect(revFresh.every((f) => f === 1)).toBe(true);
    expect(revPtr[400]).toBe(start.index.filter((j) => j !== -1).length);
    for (let r = 0; r < 400; r++) {
      for (let q = revPtr[r]!; q < revPtr[r + 1]!; q++) {
        const from = revIdx[q]!;
        expect([start.index[from * 8], start.index[from * 8 + 1]]).toContain(r);
      }
    }
    expect(firstK(once, 3).k).toBe(3);
    expect(Array.from(firstK(once, 3).index.subarray(0, 3))).toEqual(Array.from(once.index.subarray(0, 3)));
  });
});
