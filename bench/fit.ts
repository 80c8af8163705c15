// What a run's fit costs and what it chooses, on the real behaviour structure: the fit as it was (every user with
// 2+ courses scored, every candidate on every fold), with the scored users capped (FitSettings.maxQueryUsers), and
// with the cap and the first-fold screening (SCREEN_MARGIN), as runs fit today. For each: wall and CPU seconds
// (medians of --runs), the candidates, the choice, its validation recall, and the recall@10 of the chosen model on
// the real structure's hold-out (the evaluation protocol: the fit never sees it).
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fitForRun } from '../src/jobs/fit';
import { popularityOrder, recommendFromNeighbours, scoreRecommender } from '../src/jobs/metrics';
import { computeModel, defaultParams, fittedChoices, type ModelName } from '../src/jobs/models';
import { loadRealStructure } from '../src/jobs/real-structure';
import { createPool } from '../src/similarity/pool';
import { table } from '../src/text-table';
import { median } from './_stats';

const WAYS: ReadonlyArray<{ name: string; queries: number | undefined; screen: boolean }> = [
  { name: 'every user, every fold', queries: Number.MAX_SAFE_INTEGER, screen: false },
  { name: 'capped users, every fold', queries: undefined, screen: false },
  { name: 'capped users, screened (runs)', queries: undefined, screen: true },
];

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      npz: { type: 'string' },
      seeds: { type: 'string' },
      model: { type: 'string' },
      runs: { type: 'string' },
    },
  });
  const file =
    values.npz ?? path.join(__dirname, '..', '..', 'shared', 'data', 'pluralsight', 'user_features_binary.npz');
  const seeds = (values.seeds ?? '5').split(',').map(Number);
  const model = (values.model ?? 'als') as ModelName;
  const runs = Number(values.runs ?? '1');
  if (seeds.some((s) => !Number.isInteger(s)) || !['als', 'cosine'].includes(model) || !(runs >= 1)) {
    process.stderr.write('usage: npm run bench -- fit [--npz FILE] [--seeds 5,1] [--model als|cosine] [--runs 1]\n');
    return 2;
  }
  const cpus = os.cpus();
  const cap = defaultParams().fit.maxQueryUsers;
  process.stdout.write(
    `machine: ${cpus.length} x ${cpus[0]?.model ?? '?'}, node ${process.version}, load ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}\n` +
      `data: ${path.basename(file)}, the real-structure hold-out per seed (a fifth, rounded down, of the courses of ` +
      `users with 5+); model ${model}; the fit on the training part, scored users capped at ${cap.toLocaleString('en-US')} ` +
      `where said; seconds are medians of ${runs} run(s), CPU includes the worker threads\n` +
      `held-out recall@10: the chosen parameters computed on the whole training part, 10 neighbours recommending\n\n`,
  );
  const pool = createPool(2);
  const rows: string[][] = [];
  try {
    for (const seed of seeds) {
      const { signals, split } = await loadRealStructure(file, seed);
      const order = popularityOrder(split.train);
      for (const way of WAYS) {
        const walls: number[] = [];
        const cpu: number[] = [];
        let last;
        for (let run = 0; run < runs; run++) {
          const p = defaultParams();
          if (way.queries !== undefined) p.fit.maxQueryUsers = way.queries;
          const t = performance.now();
          const c0 = process.cpuUsage();
          last = await fitForRun(model, signals, p, { pool, ...(way.screen ? {} : { screenMargin: 1 }) });
          const c = process.cpuUsage(c0);
          walls.push((performance.now() - t) / 1000);
          cpu.push((c.user + c.system) / 1e6);
        }
        if (last === undefined) throw new Error('the fit did not run: too few users to validate on');
        const nb = (await computeModel(model, signals, last.params, pool)).neighbours;
        const heldOut = scoreRecommender(split, 10, (r) => recommendFromNeighbours(nb, split.train, r, 10, order));
        rows.push([
          String(seed),
          way.name,
          last.validation.users.toLocaleString('en-US'),
          median(walls).toFixed(1),
          median(cpu).toFixed(1),
          `${last.tried.length} (${last.tried.filter((t) => t.folds === 1).length} on one fold)`,
          JSON.stringify(fittedChoices(model, last.params)),
          last.validation.recall.toFixed(4),
          heldOut.recall.toFixed(4),
        ]);
      }
    }
  } finally {
    await pool.close();
  }
  process.stdout.write(
    `${table(['seed', 'fit', 'scored users', 'wall s', 'CPU s', 'candidates', 'chosen', 'validation', 'held-out recall@10'], rows)}\n`,
  );
  return 0;
}
