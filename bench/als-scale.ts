// `npm run bench -- als-scale [--users 1000000] [--als '{"blend":8,...}'] [--list-factor 3] [--runs 1] [--sample 500]`: the ALS model's
// steps at scale as the job runs them with the approximate search (training, the factors' HNSW search, the blend's
// interest candidates, the blend), each timed, and how far the blended lists are from the blend over exact
// candidates (the one the fit validates: exact factor top 50 and exact interests top 50) on a seeded sample of
// users. Uses bench/out/data-<users> and its binary signals (made once, as the sparse-ann bench makes them).
import os from 'node:os';
import { parseArgs } from 'node:util';
import { trainAlsUsers } from '../src/jobs/als-model';
import { alsSearch, defaultParams, type ModelParams } from '../src/jobs/models';
import type { Logger } from '../src/log';
import { seededRandom } from '../src/similarity/als';
import { createPool } from '../src/similarity/pool';
import type { Neighbours } from '../src/similarity/types';
import { table } from '../src/text-table';
import { loadSignals } from './_csv-signals';
import { median } from './_stats';
import { ensureSignals } from './sparse-ann';

/** What the job's fit chose for ALS on the generated 1,000,000 users (bench/README.md, 2026-12-04). */
const FITTED_AT_1M = {
  alpha: 40,
  confidence: 'log',
  interestWeight: 0,
  regularization: 0.1,
  factors: 32,
  centre: 'mean',
  blend: 8,
  blendShrink: 3,
};

/**
 * Over the sampled users: the share of each one's reference top-k that `got` also holds (users with no reference
 * neighbours skipped), and the sum of got's blended scores over the reference's (how much of the best attainable
 * similarity the lists keep: a miss that swaps in a neighbour scored nearly as well costs little).
 */
function agreement(reference: Neighbours, got: Neighbours, rows: Int32Array): { share: number; score: number } {
  let want = 0;
  let hit = 0;
  let best = 0;
  let kept = 0;
  for (const r of rows) {
    const have = new Set(got.index.subarray(r * got.k, (r + 1) * got.k));
    for (let q = r * reference.k; q < (r + 1) * reference.k; q++) {
      const j = reference.index[q]!;
      if (j === -1) continue;
      want++;
      best += reference.score[q]!;
      if (have.has(j)) hit++;
    }
    for (let q = r * got.k; q < (r + 1) * got.k; q++) if (got.index[q]! !== -1) kept += got.score[q]!;
  }
  return { share: want === 0 ? 1 : hit / want, score: best === 0 ? 1 : kept / best };
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string', default: '100000' },
      als: { type: 'string' },
      runs: { type: 'string', default: '1' },
      sample: { type: 'string', default: '500' },
      threads: { type: 'string', default: '2' },
      'list-factor': { type: 'string' },
    },
    strict: true,
  });
  const users = Number(values.users);
  const runs = Number(values.runs);
  const sample = Number(values.sample);
  const threads = Number(values.threads);
  if (![users, runs, sample, threads].every((n) => Number.isInteger(n) && n >= 1)) {
    process.stderr.write(
      `expected --users, --runs, --sample and --threads to be integers >= 1, got ${JSON.stringify(values)}\n`,
    );
    return 2;
  }
  let overrides: Record<string, unknown> = FITTED_AT_1M;
  if (values.als !== undefined) {
    try {
      overrides = { ...FITTED_AT_1M, ...(JSON.parse(values.als) as Record<string, unknown>) };
    } catch (err) {
      process.stderr.write(`--als: expected a JSON object of ALS settings, got ${values.als} (${String(err)})\n`);
      return 2;
    }
  }
  const p: ModelParams = defaultParams();
  p.threads = threads;
  p.ann = true;
  p.als = { ...p.als, ...overrides };
  if (values['list-factor'] !== undefined) p.sparseAnn.listFactor = Number(values['list-factor']);
  if (!(p.sparseAnn.listFactor >= 1)) {
    process.stderr.write(`--list-factor: expected a number >= 1, got ${values['list-factor']}\n`);
    return 2;
  }
  let t = performance.now();
  const s = loadSignals(ensureSignals(users));
  process.stderr.write(
    `signals of ${s.users.size.toLocaleString('en-US')} users read in ${((performance.now() - t) / 1000).toFixed(1)} s\n`,
  );
  const random = seededRandom(7);
  const rows = Int32Array.from(new Set(Array.from({ length: sample }, () => Math.floor(random() * s.users.size))));
  const pool = createPool(threads);
  const steps = new Map<string, number[]>();
  const agree: number[] = [];
  const scoreKept: number[] = [];
  const step = (name: string, seconds: number) => steps.set(name, [...(steps.get(name) ?? []), seconds]);
  const log: Logger = {
    info: (line) => {
      process.stderr.write(`${line}\n`);
      const m = /^ {2}als: (.+) in ([\d.]+) s$/.exec(line);
      if (m !== null) step(m[1]!, Number(m[2]));
    },
    warn: (line) => process.stderr.write(`${line}\n`),
  };
  try {
    for (let run = 0; run < runs; run++) {
      t = performance.now();
      const trained = await trainAlsUsers(s, p, pool);
      step('training', (performance.now() - t) / 1000);
      t = performance.now();
      const found = await alsSearch(trained, s, p, pool, undefined, {}, log);
      step('search, all steps', (performance.now() - t) / 1000);
      // The fit's blend: the same factors, exact candidates (factors' top 50 and interests' top 50) for the sample.
      const reference = await alsSearch(trained, s, { ...p, ann: false }, pool, rows);
      const a = agreement(reference.neighbours, found.neighbours, rows);
      agree.push(a.share);
      scoreKept.push(a.score);
      process.stderr.write(
        `run ${run + 1}: agreement with the exact-candidate blend ${a.share.toFixed(3)}, score kept ${a.score.toFixed(3)}\n`,
      );
    }
  } finally {
    await pool.close();
  }
  process.stdout.write(
    `# ALS at scale (approximate search): ${s.users.size.toLocaleString('en-US')} users, ${runs} run(s), ` +
      `${threads} threads, ${os.cpus()[0]?.model ?? 'unknown CPU'} x ${os.cpus().length}, Node ${process.version}\n` +
      `# settings: ${JSON.stringify(overrides)}, sparse search list factor ${p.sparseAnn.listFactor}; agreement: share of the exact-candidate blend's top ${p.k} kept, ` +
      `${rows.length} seeded users\n\n`,
  );
  const out = [...steps].map(([name, secs]) => [name, median(secs).toFixed(1)]);
  out.push(['agreement with the exact-candidate blend', median(agree).toFixed(3)]);
  out.push(["blended score kept (sum over the exact-candidate blend's)", median(scoreKept).toFixed(3)]);
  out.push(['peak RSS (MiB)', Math.round(process.resourceUsage().maxRSS / 1024).toLocaleString('en-US')]);
  process.stdout.write(`${table(['step', 'median s'], out)}\n`);
  return 0;
}
