// similarity: compute every user's neighbours under one or all models and write them back as SIMILAR_TO edges.
import { loadConfig, PROJECT_ROOT } from '../../config';
import { jobLease, openGraph } from '../../graph/connect';
import { consoleLogger } from '../../log';
import { IncrementalJob, LeaseHeldError, modelsWithoutVersion, SimilarityJob } from '../../jobs/jobs';
import { defaultParams, describeSearch, parseModels, parseWeights, type ModelParams } from '../../jobs/models';
import { formatReports } from '../../jobs/similarity-job';
import { parseShard } from '../../jobs/shard';
import { DEFAULT_PLAN_OPTIONS } from '../../jobs/run-plan';
import { formatIncremental, INCREMENTAL_MODELS } from '../../jobs/incremental-job';
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Command } from '../command';
import { intOption, parse } from '../command';
import { badInput } from '../../errors';

/** Options shared by `similarity` and `evaluate` that shape the models. */
export const MODEL_OPTIONS = {
  model: { type: 'string' },
  k: { type: 'string' },
  ann: { type: 'boolean' },
  weights: { type: 'string' },
  factors: { type: 'string' },
  regularization: { type: 'string' },
  iterations: { type: 'string' },
  seed: { type: 'string' },
  alpha: { type: 'string' },
  'interest-weight': { type: 'string' },
  'interest-blend': { type: 'string' },
  'blend-shrink': { type: 'string' },
  confidence: { type: 'string' },
  centre: { type: 'string' },
  'views-weighting': { type: 'string' },
  'no-fit': { type: 'boolean' },
  'fit-seed': { type: 'string' },
  'fit-users': { type: 'string' },
  'fit-queries': { type: 'string' },
  'fit-candidates': { type: 'string' },
  threads: { type: 'string' },
} as const;

function numberOption(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    throw badInput(`--${name}: expected a number ${min}..${max}, got "${value}"`);
  return n;
}

export function modelParams(values: {
  k?: string | undefined;
  ann?: boolean | undefined;
  weights?: string | undefined;
  factors?: string | undefined;
  regularization?: string | undefined;
  iterations?: string | undefined;
  seed?: string | undefined;
  alpha?: string | undefined;
  'interest-weight'?: string | undefined;
  'interest-blend'?: string | undefined;
  'blend-shrink'?: string | undefined;
  confidence?: string | undefined;
  centre?: string | undefined;
  'views-weighting'?: string | undefined;
  'no-fit'?: boolean | undefined;
  'fit-seed'?: string | undefined;
  'fit-users'?: string | undefined;
  'fit-queries'?: string | undefined;
  'fit-candidates'?: string | undefined;
  threads?: string | undefined;
}): ModelParams {
  const p = defaultParams();
  // A choice given explicitly is kept as given: the fit searches only the others.
  const fix = (name: string, value: unknown) => {
    if (value !== undefined) p.fixed.add(name);
  };
  p.k = intOption('k', values.k, p.k, 1, 100);
  p.ann = values.ann === true;
  p.weights = parseWeights(values.weights, p.weights);
  if (values.weights !== undefined) for (const key of Object.keys(p.weights)) p.fixed.add(`weights.${key}`);
  p.threads = intOption('threads', values.threads, p.threads, 1, 64);
  p.als.factors = intOption('factors', values.factors, p.als.factors, 1, 512);
  p.als.regularization = numberOption('regularization', values.regularization, p.als.regularization, 0, 1e6);
  p.als.iterations = intOption('iterations', values.iterations, p.als.iterations, 1, 200);
  p.als.seed = intOption('seed', values.seed, p.als.seed, 0, 2 ** 31 - 1);
  p.als.alpha = numberOption('alpha', values.alpha, p.als.alpha, 0, 1e6);
  p.als.interestWeight = numberOption('interest-weight', values['interest-weight'], p.als.interestWeight, 0, 1e6);
  p.als.blend = numberOption('interest-blend', values['interest-blend'], p.als.blend, 0, 100);
  p.als.blendShrink = numberOption('blend-shrink', values['blend-shrink'], p.als.blendShrink, 0, 1000);
  p.als.confidence = choiceOption('confidence', values.confidence, p.als.confidence, ['binary', 'log'] as const);
  p.als.centre = choiceOption('centre', values.centre, p.als.centre, ['mean', 'none'] as const);
  p.viewsWeighting = choiceOption('views-weighting', values['views-weighting'], p.viewsWeighting, [
    'bm25',
    'idf',
  ] as const);
  fix('factors', values.factors);
  fix('regularization', values.regularization);
  fix('alpha', values.alpha);
  fix('interestWeight', values['interest-weight']);
  fix('blend', values['interest-blend']);
  fix('blendShrink', values['blend-shrink']);
  fix('confidence', values.confidence);
  fix('centre', values.centre);
  fix('viewsWeighting', values['views-weighting']);
  p.fit.enabled = values['no-fit'] !== true;
  p.fit.seed = intOption('fit-seed', values['fit-seed'], p.fit.seed, 0, 2 ** 31 - 1);
  p.fit.maxUsers = intOption('fit-users', values['fit-users'], p.fit.maxUsers, 100, 10_000_000);
  p.fit.maxQueryUsers = intOption('fit-queries', values['fit-queries'], p.fit.maxQueryUsers, 100, 10_000_000);
  p.fit.maxCandidates = numberOption('fit-candidates', values['fit-candidates'], p.fit.maxCandidates, 1, 1_000);
  if (!Number.isInteger(p.fit.maxCandidates))
    throw badInput(`--fit-candidates: expected a whole number of candidates, got "${values['fit-candidates']}"`);
  return p;
}

function choiceOption<T extends string>(
  name: string,
  value: string | undefined,
  fallback: T,
  allowed: readonly T[],
): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw badInput(`--${name}: expected one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

export const similarity: Command = {
  name: 'similarity',
  summary: 'Compute similar users (interests, course_views, assessments, cosine, als) and write SIMILAR_TO edges',
  usage:
    'similar-users similarity [--model <name|all|a,b>] [--missing] [--incremental | --shard I/N --run ID [--plan-wait 7200] | --shards N [--parallel 2]] [--k 10] [--ann | --exact] [--exact-budget 600] [--no-fit] [--fit-seed 11] [--fit-users 20000] [--fit-queries 3000] [--fit-candidates 32] [--weights interests=1,views=1,courseTags=0,assessments=0] [--views-weighting bm25|idf] [--factors 64] [--regularization 1] [--iterations 15] [--alpha 20] [--confidence binary|log] [--interest-weight 0] [--interest-blend 0] [--blend-shrink 3] [--centre mean|none] [--seed 42] [--threads 2] [--batch 10000] [--writers 4]',
  async run(argv) {
    const { values } = parse(this, argv, {
      ...MODEL_OPTIONS,
      batch: { type: 'string' },
      writers: { type: 'string' },
      shard: { type: 'string' },
      run: { type: 'string' },
      shards: { type: 'string' },
      parallel: { type: 'string' },
      exact: { type: 'boolean' },
      'exact-budget': { type: 'string' },
      'plan-wait': { type: 'string' },
      incremental: { type: 'boolean' },
      missing: { type: 'boolean' },
    });
    if (values.incremental === true) {
      return runIncremental(values.model, values.threads, values.batch, values.writers);
    }
    const named = parseModels(values.model);
    const params = modelParams(values);
    if (values.ann === true && values.exact === true) {
      throw badInput('--ann and --exact: expected at most one of them (neither: chosen per model by --exact-budget)');
    }
    params.search = values.ann === true ? 'ann' : values.exact === true ? 'exact' : 'auto';
    const batchEdges = intOption('batch', values.batch, 10_000, 100, 1_000_000);
    if (values.shards !== undefined) {
      if (values.shard !== undefined || values.run !== undefined) {
        throw badInput('--shards N runs every shard here; it goes without --shard and --run');
      }
      const count = intOption('shards', values.shards, 1, 1, 1024);
      const parallel = intOption('parallel', values.parallel, 2, 1, 64);
      return runLocalShards(argv, count, parallel);
    }
    const shard = parseShard(values.shard, values.run);
    // How long a shard waits for another shard of its run to store the run's decisions (fit, ALS factors).
    const planWait = numberOption('plan-wait', values['plan-wait'], DEFAULT_PLAN_OPTIONS.waitMs / 1000, 1, 604_800);
    const config = loadConfig();
    params.exactBudgetSeconds = numberOption(
      'exact-budget',
      values['exact-budget'],
      config.jobs.exactBudgetSeconds,
      0,
      604_800,
    );
    const started = performance.now();
    const graph = await openGraph(config, { schema: true });
    try {
      // --missing: only the models without an active version (what start computes), and none is not an error.
      const models = values.missing === true ? await modelsWithoutVersion(graph, named) : named;
      if (models.length === 0) {
        process.stdout.write(`every model of ${named.join(', ')} has an active version: nothing to compute\n`);
        return 0;
      }
      if (values.missing === true) consoleLogger.info(`computing ${models.join(', ')} (no active version)`);
      const reports = await new SimilarityJob(graph, {
        models,
        params,
        batchEdges,
        writers: intOption('writers', values.writers, 4, 1, 16),
        log: consoleLogger,
        lease: jobLease(config),
        ...(shard !== undefined ? { shard, plan: { waitMs: planWait * 1000 } } : {}),
      })
        .run()
        .catch((err: unknown) => {
          // --missing: another run holds them; what is active is served, and its versions switch in when it ends.
          if (values.missing !== true || !(err instanceof LeaseHeldError)) throw err;
          process.stdout.write(`not computed here: ${err.message}\n`);
          return undefined;
        });
      if (reports === undefined) return 0;
      const secs = (performance.now() - started) / 1000;
      const rss = process.resourceUsage().maxRSS / 1024;
      process.stdout.write(
        `${formatReports(reports)}\n\n${reports.length} model(s) in ${secs.toFixed(1)} s, peak memory ${rss.toFixed(0)} MiB, ` +
          `${reports[0]?.users.toLocaleString('en-US') ?? 0} users, k = ${params.k}\n`,
      );
      for (const r of reports) {
        if (r.fitted !== undefined) {
          process.stdout.write(
            `${r.model}: fitted ${JSON.stringify(r.fitted)} on the validation split (recall@10 ${r.validation?.toFixed(4)}, ${r.fitSeconds?.toFixed(1)} s)\n`,
          );
        }
      }
      const last = reports[reports.length - 1];
      if (last?.defaultModel !== undefined && last.defaultModel !== null) {
        process.stdout.write(
          `default model (served when a client names none): ${last.defaultModel}, the best validation recall@10\n`,
        );
      }
      for (const r of reports) {
        if (r.search !== undefined && (r.search.estimateSeconds !== null || r.search.ann)) {
          process.stdout.write(`${describeSearch(r.model, r.search)}\n`);
        }
        const recall = r.details.annRecall;
        if (typeof recall === 'number') {
          const sample = r.details.annRecallSample;
          const on = typeof sample === 'number' ? `${sample.toLocaleString('en-US')} sampled users` : 'all users';
          process.stdout.write(
            `${r.model}: approximate search, recall@${params.k} against the exact search on ${on} = ${recall.toFixed(4)}\n`,
          );
        }
      }
    } finally {
      await graph.close();
    }
    return 0;
  },
};

export const commands: Command[] = [similarity];

/**
 * `--incremental`: the cosine-family models refreshed from their active versions (see jobs/incremental-job.ts);
 * with `--model all`, ALS is left as it is and said so; named explicitly, it is refused.
 */
async function runIncremental(
  model: string | undefined,
  threads: string | undefined,
  batch: string | undefined,
  writers: string | undefined,
): Promise<number> {
  const all = model === undefined || model === 'all';
  const models = parseModels(model).filter((m) => !all || INCREMENTAL_MODELS.includes(m));
  if (all) {
    process.stdout.write(
      'als: left as it is (its factors are trained on all users together; --incremental refreshes the ' +
        'cosine-family models, a full run refreshes als; new users get live ALS answers by fold-in meanwhile)\n',
    );
  }
  const config = loadConfig();
  const started = performance.now();
  const graph = await openGraph(config, { schema: true });
  try {
    const reports = await new IncrementalJob(graph, {
      models,
      threads: intOption('threads', threads, 2, 1, 64),
      batchEdges: intOption('batch', batch, 10_000, 100, 1_000_000),
      writers: intOption('writers', writers, 1, 1, 16),
      log: consoleLogger,
      lease: jobLease(config),
    }).run();
    const secs = (performance.now() - started) / 1000;
    process.stdout.write(
      `${formatIncremental(reports)}\n\n${reports.length} model(s) refreshed incrementally in ${secs.toFixed(1)} s, ` +
        `${reports[0]?.users.toLocaleString('en-US') ?? 0} users\n`,
    );
  } finally {
    await graph.close();
  }
  return 0;
}

/** Options of the parent that each shard process gets as they are (the rest: its --shard and --run). */
function shardArgv(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [name] = a.split('=');
    if (name === '--shards' || name === '--parallel') {
      if (!a.includes('=')) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

/**
 * Runs the N shards of one run as local processes, `parallel` at a time (what a Kubernetes Indexed Job does across
 * machines), and waits for all; fails when any shard fails (the run is then not active, and the next run cleans it).
 */
async function runLocalShards(argv: string[], count: number, parallel: number): Promise<number> {
  const run = `local-${new Date()
    .toISOString()
    .replace(/[^0-9]/g, '')
    .slice(0, 14)}-${process.pid}`;
  const rest = shardArgv(argv);
  const bin = path.join(PROJECT_ROOT, 'bin', 'similar-users.js');
  consoleLogger.info(`run ${run}: ${count} shards, ${parallel} at a time`);
  let next = 0;
  const failed: number[] = [];
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const code = await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [bin, 'similarity', ...rest, '--shard', `${i}/${count}`, '--run', run], {
          stdio: ['ignore', 'inherit', 'inherit'],
        });
        child.on('error', () => resolve(1));
        child.on('exit', (c) => resolve(c ?? 1));
      });
      if (code !== 0) failed.push(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  if (failed.length > 0) {
    process.stderr.write(
      `run ${run}: shard(s) ${failed.sort((a, b) => a - b).join(', ')} of ${count} failed; the run is not active ` +
        `(run a failed shard again with --shard I/${count} --run ${run})\n`,
    );
    return 1;
  }
  process.stdout.write(`run ${run}: all ${count} shards done; its versions are active\n`);
  return 0;
}
