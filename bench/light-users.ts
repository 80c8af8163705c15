// Users with few courses, on the real behaviour structure: how well ALS's neighbours recommend their held-out
// courses by how many courses they have, with the interests blended in at each weight (AlsParams.blend). The
// real-structure protocol scores users with 5+ courses only; this one holds out a fifth (rounded, at least one) of
// the courses of every user with 2+, as the fit's validation does, and reports each group apart.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  holdOut,
  popularityOrder,
  recommendFromNeighbours,
  recommendInOrder,
  scoreRecommender,
  type HoldOut,
} from '../src/jobs/metrics';
import { computeModel, defaultParams } from '../src/jobs/models';
import { loadRealStructure } from '../src/jobs/real-structure';
import { createPool } from '../src/similarity/pool';
import { table } from '../src/text-table';

/** Groups of users by their courses before the hold-out. */
const GROUPS: ReadonlyArray<{ name: string; min: number; max: number }> = [
  { name: '2-4 courses', min: 2, max: 4 },
  { name: '5-9', min: 5, max: 9 },
  { name: '10+', min: 10, max: Infinity },
  { name: 'all 2+', min: 2, max: Infinity },
];

/** The split with only the hidden courses of users whose course count lies in [min, max]. */
function group(split: HoldOut, min: number, max: number): HoldOut {
  const indptr = new Int32Array(split.test.indptr.length);
  const indices: number[] = [];
  for (let r = 0; r < split.train.rows; r++) {
    const hidden = split.test.indptr[r + 1]! - split.test.indptr[r]!;
    const total = split.train.indptr[r + 1]! - split.train.indptr[r]! + hidden;
    if (total >= min && total <= max) {
      for (let p = split.test.indptr[r]!; p < split.test.indptr[r + 1]!; p++) indices.push(split.test.indices[p]!);
    }
    indptr[r + 1] = indices.length;
  }
  return { ...split, test: { indptr, indices: Int32Array.from(indices) } };
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { npz: { type: 'string' }, seeds: { type: 'string' }, blends: { type: 'string' } },
  });
  const file =
    values.npz ?? path.join(__dirname, '..', '..', 'shared', 'data', 'pluralsight', 'user_features_binary.npz');
  const seeds = (values.seeds ?? '5,1').split(',').map(Number);
  const blends = (values.blends ?? '0,0.5,1,2').split(',').map(Number);
  if (seeds.some((s) => !Number.isInteger(s)) || blends.some((b) => !(b >= 0))) {
    process.stderr.write('usage: npm run bench -- light-users [--npz FILE] [--seeds 5,1] [--blends 0,0.5,1,2]\n');
    return 2;
  }
  const cpus = os.cpus();
  process.stdout.write(
    `machine: ${cpus.length} x ${cpus[0]?.model ?? '?'}, node ${process.version}\n` +
      `data: ${path.basename(file)}; per seed, a fifth (rounded, at least one) of the courses of every user with 2+ ` +
      `held out; ALS with the real structure's fitted settings (views only, alpha 20, 64 factors, centred, no fit ` +
      `here), each blend weight w giving a user's interests w / (1 + their courses); recall@10 per group of users\n\n`,
  );
  const pool = createPool(2);
  const rows: string[][] = [];
  try {
    for (const seed of seeds) {
      const all = (await loadRealStructure(file, seed, { holdOut: false })).signals;
      const split = holdOut(all.views!, 0.2, seed, 2, 'round');
      const train = { ...all, views: split.train };
      const order = popularityOrder(split.train);
      const groups = GROUPS.map((g) => ({ ...g, split: group(split, g.min, g.max) }));
      const users = groups.map((g) => scoreRecommender(g.split, 10, () => []).users);
      rows.push([
        String(seed),
        'popularity',
        ...groups.map((g) =>
          scoreRecommender(g.split, 10, (r) => recommendInOrder(order, split.train, r, 10)).recall.toFixed(4),
        ),
      ]);
      for (const blend of blends) {
        const base = defaultParams();
        const p = { ...base, fit: { ...base.fit, enabled: false }, als: { ...base.als, blend } };
        const nb = (await computeModel('als', train, p, pool)).neighbours;
        rows.push([
          String(seed),
          `als, blend ${blend}`,
          ...groups.map((g) =>
            scoreRecommender(g.split, 10, (r) => recommendFromNeighbours(nb, split.train, r, 10, order)).recall.toFixed(
              4,
            ),
          ),
        ]);
      }
      rows.push([String(seed), 'users scored', ...users.map((u) => u.toLocaleString('en-US'))]);
    }
  } finally {
    await pool.close();
  }
  process.stdout.write(`${table(['seed', 'neighbours of', ...GROUPS.map((g) => g.name)], rows)}\n`);
  return 0;
}
