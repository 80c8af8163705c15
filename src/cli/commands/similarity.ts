// similarity: compute every user's neighbours under one or all models and write them back as SIMILAR_TO edges.
import { loadConfig } from '../../config';
import { jobLease, openGraph } from '../../graph/connect';
import { SimilarityRepository } from '../../graph/similarity-repository';
import { consoleLogger } from '../../log';
import { defaultParams, parseModels, parseWeights, type ModelParams } from '../../jobs/models';
import { formatReports, runSimilarityJob } from '../../jobs/similarity-job';
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
  threads?: string | undefined;
}): ModelParams {
  const p = defaultParams();
  p.k = intOption('k', values.k, p.k, 1, 100);
  p.ann = values.ann === true;
  p.weights = parseWeights(values.weights, p.weights);
  p.threads = intOption('threads', values.threads, p.threads, 1, 64);
  p.als.factors = intOption('factors', values.factors, p.als.factors, 1, 512);
  p.als.regularization = numberOption('regularization', values.regularization, p.als.regularization, 0, 1e6);
  p.als.iterations = intOption('iterations', values.iterations, p.als.iterations, 1, 200);
  p.als.seed = intOption('seed', values.seed, p.als.seed, 0, 2 ** 31 - 1);
  p.als.alpha = numberOption('alpha', values.alpha, p.als.alpha, 0, 1e6);
  return p;
}

export const similarity: Command = {
  name: 'similarity',
  summary: 'Compute similar users (interests, course_views, assessments, cosine, als) and write SIMILAR_TO edges',
  usage:
    'similar-users similarity [--model <name|all|a,b>] [--k 10] [--ann] [--weights interests=4,views=1,courseTags=2,assessments=1] [--factors 32] [--regularization 1] [--iterations 10] [--alpha 2] [--seed 42] [--threads 2] [--batch 10000] [--writers 4]',
  async run(argv) {
    const { values } = parse(this, argv, { ...MODEL_OPTIONS, batch: { type: 'string' }, writers: { type: 'string' } });
    const models = parseModels(values.model);
    const params = modelParams(values);
    const batchEdges = intOption('batch', values.batch, 10_000, 100, 1_000_000);
    const config = loadConfig();
    const started = performance.now();
    const graph = await openGraph(config, { schema: true });
    try {
      const reports = await runSimilarityJob(new SimilarityRepository(graph), {
        models,
        params,
        batchEdges,
        writers: intOption('writers', values.writers, 4, 1, 16),
        log: consoleLogger,
        lease: jobLease(config),
      });
      const secs = (performance.now() - started) / 1000;
      const rss = process.resourceUsage().maxRSS / 1024;
      process.stdout.write(
        `${formatReports(reports)}\n\n${reports.length} model(s) in ${secs.toFixed(1)} s, peak memory ${rss.toFixed(0)} MiB, ` +
          `${reports[0]?.users.toLocaleString('en-US') ?? 0} users, k = ${params.k}\n`,
      );
      for (const r of reports) {
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
