// `npm run bench -- sparse-ann`: the job's approximate search (interests, cosine; or course_views, assessments,
// which the job searches exactly) against the exact one on
// generated users, without Neo4j: recall@10 on sampled users, the search's time per step, and the exact search's
// time projected from sampled users, so settings can be compared at a size that iterates in minutes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  chooseSearch,
  cpuSecondsSince,
  defaultParams,
  describeSearch,
  estimateExactCost,
  estimateExactSeconds,
  modelMatrix,
  parseModels,
  sparseAnnOptions,
  type SparseAnnParams,
} from '../src/jobs/models';
import { table } from '../src/text-table';
import { createPool } from '../src/similarity/pool';
import type { Neighbours } from '../src/similarity/types';
import { recallAgainst } from '../src/similarity/dense';
import { sampleRows, sparseAnnTopK } from '../src/similarity/sparse-ann';
import { cosineTopK } from '../src/similarity/topk';
import { loadSignals } from './_csv-signals';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'bench', 'out');

/** bench/out/data-<n> with its binary signals (as `npm run bench -- similarity --scale n` leaves them), made once. */
export function ensureSignals(n: number): string {
  const dir = path.join(OUT, `data-${n}`);
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  if (!fs.existsSync(path.join(dir, 'communities.csv'))) {
    fs.mkdirSync(dir, { recursive: true });
    const args = ['generate', '--users', String(n), '--seed', '1', '--out', dir];
    execFileSync(process.execPath, [path.join(ROOT, 'bin', 'similar-users.js'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', process.stderr, 'inherit'],
    });
  }
  if (!fs.existsSync(path.join(dir, 'signals', 'signals.json'))) {
    execFileSync(tsx, [path.join(ROOT, 'bench', 'run.ts'), 'similarity', '--child', 'prepare', '--data', dir], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return path.join(dir, 'signals');
}

/** `dims=128,candidates=80` over the job's settings; every key must be one of SparseAnnParams'. */
function variant(text: string, base: SparseAnnParams): SparseAnnParams {
  const out: SparseAnnParams = { ...base };
  if (text === '' || text === 'default') return out;
  for (const part of text.split(',')) {
    const [key, value] = part.split('=');
    const n = Number(value);
    if (key === undefined || !(key in base) || !Number.isFinite(n)) {
      throw new Error(`--try: expected key=number with keys ${Object.keys(base).join(', ')}, but got "${part}"`);
    }
    (out as unknown as Record<string, number>)[key] = n;
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string', default: '100000' },
      model: { type: 'string', default: 'interests,cosine' },
      try: { type: 'string', multiple: true },
      'exact-sample': { type: 'string', default: '2000' },
      threads: { type: 'string', default: '2' },
    },
    strict: true,
  });
  const users = Number(values.users);
  // course_views and assessments have no approximate search in the job; the bench runs it on them to see whether
  // they could (the job's choice line still says what the job does).
  const models = parseModels(values.model).filter((m): m is Exclude<typeof m, 'als'> => m !== 'als');
  if (models.length === 0)
    throw new Error(`--model: expected interests, cosine, course_views or assessments, but got "${values.model}"`);
  const threads = Number(values.threads);
  const params = defaultParams();
  params.threads = threads;
  const variants = (values.try ?? ['default']).map((t) => ({ name: t, a: variant(t, params.sparseAnn) }));
  const signals = loadSignals(ensureSignals(users));
  const tieKey = signals.users.handles;
  const pool = createPool(threads);
  const rows: string[][] = [];
  const loads: number[] = [];
  const choices: string[] = [];
  try {
    for (const model of models) {
      const m = modelMatrix(model, signals, params);
      loads.push(os.loadavg()[0]!);
      const exact = await estimateExactCost(m, params.k, { threads, pool, sample: Number(values['exact-sample']) });
      // What the job would pick here: its own estimate (256 sampled users) against its budget.
      const jobEstimate = await estimateExactSeconds(m, params.k, { threads, pool });
      choices.push(describeSearch(model, chooseSearch(model, 'auto', jobEstimate, params.exactBudgetSeconds)));
      process.stderr.write(
        `${model}: exact search projected from ${values['exact-sample']} sampled users: ` +
          `${exact.seconds.toFixed(0)} s wall, ${exact.cpuSeconds.toFixed(0)} s CPU\n`,
      );
      process.stderr.write(`${choices.at(-1)!}\n`);
      for (const { name, a } of variants) {
        const p = { ...params, sparseAnn: a };
        // The exact lists of the recall sample (what sampledSparseRecall computes), first: the search's steps
        // report their recall as they end, so a long search can be followed (and judged if it is stopped).
        const queryRows = sampleRows(m.rows, a.recallSample, a.seed);
        const exactSample = await cosineTopK(m, p.k, { tieKey, queryRows, pool });
        loads.push(os.loadavg()[0]!);
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        let hookWall = 0;
        let hookCpu = 0;
        const onStep = (step: string, stepSeconds: number, lists?: () => Neighbours) => {
          const h = performance.now();
          const hc = process.cpuUsage();
          const recall = lists === undefined ? '' : `, recall@10 ${recallAgainst(exactSample, lists()).toFixed(3)}`;
          process.stderr.write(
            `${model} ${name}: ${step} ${stepSeconds.toFixed(1)} s; so far ` +
              `${((h - t0) / 1000 - hookWall).toFixed(1)} s wall, ${(cpuSecondsSince(c0) - hookCpu).toFixed(1)} s CPU` +
              `${recall}; load ${os.loadavg()[0]!.toFixed(1)}; RSS ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MiB\n`,
          );
          hookWall += (performance.now() - h) / 1000;
          hookCpu += cpuSecondsSince(hc);
        };
        const found = await sparseAnnTopK(m, p.k, { ...sparseAnnOptions(model, p, tieKey), pool, onStep });
        const seconds = (performance.now() - t0) / 1000 - hookWall;
        const cpu = cpuSecondsSince(c0) - hookCpu;
        const recall = recallAgainst(exactSample, found);
        loads.push(os.loadavg()[0]!);
        const s = found.seconds;
        rows.push([
          users.toLocaleString('en-US'),
          model,
          name,
          seconds.toFixed(1),
          cpu.toFixed(1),
          [s.project, s.partition, s.index, s.refine].map((x) => x.toFixed(1)).join(' / '),
          recall.toFixed(3),
          exact.seconds.toFixed(0),
          exact.cpuSeconds.toFixed(0),
          (exact.seconds / seconds).toFixed(1),
          (exact.cpuSeconds / cpu).toFixed(1),
        ]);
        process.stderr.write(`${rows.at(-1)!.join('  ')}\n`);
      }
    }
  } finally {
    await pool.close();
  }
  process.stdout.write(
    table(
      [
        'users',
        'model',
        'settings',
        'approx. s',
        'approx. CPU s',
        'project / partition / candidates / refine s',
        'recall@10',
        'exact s (projected)',
        'exact CPU s (projected)',
        'speed-up',
        'speed-up CPU',
      ],
      rows,
    ) + '\n',
  );
  const cpus = os.cpus();
  process.stdout.write(
    `(${cpus[0]?.model.trim() ?? 'cpu'} x ${cpus.length}, ${threads} threads, Node ${process.version}; load average ` +
      `${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}; recall on ${params.sparseAnn.recallSample} ` +
      `seeded users against the exact search; exact time from ${values['exact-sample']} sampled users, scaled; ` +
      `peak RSS of the process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; CPU s: every thread of ` +
      `the process, workers included)\n`,
  );
  process.stdout.write(`The job's choice here (its estimate on 256 sampled users):\n${choices.join('\n')}\n`);
  return 0;
}
