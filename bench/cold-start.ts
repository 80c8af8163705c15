// Users who follow tags but have watched nothing yet: what each model gives them, on the real behaviour structure.
// A seeded share of the users with 5+ courses lose all their views (they keep their interests); every model is
// fitted and computed on that data as a run would, and the cold users' 10 best neighbours recommend courses;
// recall@10 is of all the courses the cold users had watched, beside a popularity list.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fitForRun } from '../src/jobs/fit';
import {
  popularityOrder,
  recommendFromNeighbours,
  recommendInOrder,
  scoreRecommender,
  type HoldOut,
} from '../src/jobs/metrics';
import { computeModel, defaultParams, fittedChoices, type ModelName, type ModelParams } from '../src/jobs/models';
import { loadRealStructure } from '../src/jobs/real-structure';
import type { Signals } from '../src/jobs/signals';
import { seededRandom } from '../src/similarity/als';
import { createPool } from '../src/similarity/pool';
import type { Csr } from '../src/similarity/types';
import { table } from '../src/text-table';

/** The views with every course of the rows drawn (each user with 5+ courses, with probability `share`) hidden. */
export function coldSplit(views: Csr, share: number, seed: number): HoldOut {
  const random = seededRandom(seed);
  const trainIndptr = new Int32Array(views.rows + 1);
  const testIndptr = new Int32Array(views.rows + 1);
  const trainIdx: number[] = [];
  const trainVal: number[] = [];
  const testIdx: number[] = [];
  let rows = 0;
  for (let r = 0; r < views.rows; r++) {
    const start = views.indptr[r]!;
    const end = views.indptr[r + 1]!;
    const cold = end - start >= 5 && random() < share;
    if (cold) rows++;
    for (let p = start; p < end; p++) {
      if (cold) testIdx.push(views.indices[p]!);
      else {
        trainIdx.push(views.indices[p]!);
        trainVal.push(views.data[p]!);
      }
    }
    trainIndptr[r + 1] = trainIdx.length;
    testIndptr[r + 1] = testIdx.length;
  }
  const train: Csr = {
    rows: views.rows,
    cols: views.cols,
    indptr: trainIndptr,
    indices: Int32Array.from(trainIdx),
    data: Float32Array.from(trainVal),
  };
  return { train, test: { indptr: testIndptr, indices: Int32Array.from(testIdx) }, rows };
}

function interestOnlyUsers(s: Signals): number {
  let n = 0;
  for (let r = 0; r < s.users.size; r++) {
    const views = s.views!.indptr[r + 1]! - s.views!.indptr[r]!;
    const tags = s.interests!.indptr[r + 1]! - s.interests!.indptr[r]!;
    if (views === 0 && tags > 0) n++;
  }
  return n;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      npz: { type: 'string' },
      share: { type: 'string' },
      seed: { type: 'string' },
      'interest-weights': { type: 'string' },
    },
  });
  const file =
    values.npz ?? path.join(__dirname, '..', '..', 'shared', 'data', 'pluralsight', 'user_features_binary.npz');
  const share = Number(values.share ?? 0.1);
  const seed = Number(values.seed ?? 11);
  const weights = (values['interest-weights'] ?? '0.05,0.25').split(',').map(Number);
  if (!(share > 0 && share < 1) || !Number.isInteger(seed) || weights.some((w) => !(w > 0))) {
    process.stderr.write(
      'usage: npm run bench -- cold-start [--npz FILE] [--share 0.1] [--seed 11] [--interest-weights 0.05,0.25]\n',
    );
    return 2;
  }
  // The real-structure loader's own hold-out is off: every course of a warm user is training data.
  const all = (await loadRealStructure(file, seed, { holdOut: false })).signals;
  const split = coldSplit(all.views!, share, seed);
  const data: Signals = { ...all, views: split.train };
  const order = popularityOrder(split.train);
  const cpus = os.cpus();
  process.stdout.write(
    `machine: ${cpus.length} x ${cpus[0]?.model ?? '?'}, node ${process.version}\n` +
      `data: ${path.basename(file)}, ${all.users.size.toLocaleString('en-US')} users, of whom ` +
      `${interestOnlyUsers(all).toLocaleString('en-US')} follow tags and watched nothing; ` +
      `cold users: ${split.rows.toLocaleString('en-US')} (${(100 * share).toFixed(0)}% of users with 5+ courses, seed ${seed}) ` +
      `keep their interests and lose all their views\n\n`,
  );
  const pool = createPool(2);
  const rows: string[][] = [];
  const pop = scoreRecommender(split, 10, (r) => recommendInOrder(order, split.train, r, 10));
  try {
    const runs: Array<{ model: ModelName; label: string; fit: boolean; als?: Partial<ModelParams['als']> }> = [
      { model: 'interests', label: 'interests', fit: true },
      { model: 'cosine', label: 'cosine (fitted)', fit: true },
      { model: 'als', label: 'als (fitted)', fit: true },
      ...weights.map((w) => ({
        model: 'als' as const,
        label: `als, interests ${w}`,
        fit: false,
        als: { interestWeight: w },
      })),
    ];
    for (const run of runs) {
      let p = defaultParams();
      if (run.als !== undefined) p = { ...p, als: { ...p.als, ...run.als } };
      if (run.fit) {
        const fitted = await fitForRun(run.model, data, p, { pool });
        if (fitted !== undefined) p = fitted.params;
      }
      const nb = (await computeModel(run.model, data, p, pool)).neighbours;
      let placed = 0;
      for (let r = 0; r < nb.rows; r++) {
        const cold = split.test.indptr[r + 1]! > split.test.indptr[r]!;
        if (cold && nb.k > 0 && nb.index[r * nb.k]! >= 0) placed++;
      }
      const f = scoreRecommender(split, 10, (r) => recommendFromNeighbours(nb, split.train, r, 10, order));
      const choice = run.fit && run.model !== 'interests' ? JSON.stringify(fittedChoices(run.model, p)) : '';
      rows.push([
        run.label,
        `${placed}/${split.rows}`,
        f.recall.toFixed(4),
        f.ndcg.toFixed(4),
        (f.recall / pop.recall).toFixed(2),
        choice,
      ]);
    }
  } finally {
    await pool.close();
  }
  rows.push(['popularity', '-', pop.recall.toFixed(4), pop.ndcg.toFixed(4), '1.00', '']);
  process.stdout.write(
    `${table(['model', 'cold users placed', 'recall@10', 'NDCG@10', 'vs popularity', 'fitted'], rows)}\n` +
      'A cold user without neighbours gets the popularity list (as the evaluation fills a short list).\n',
  );
  return 0;
}
