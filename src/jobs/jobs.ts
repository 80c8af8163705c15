// The jobs as their callers (the CLI, `start`) run them: built like the importer and the API, from a graph and
// options (`new Importer(graph, opts).run(files)`, `startServer(config, graph, opts)`); the repositories stay inside.
import type { Graph } from '../graph/executor';
import { SimilarityRepository } from '../graph/similarity-repository';
import { runEvaluation, type Evaluation } from './evaluate';
import type { ModelName } from './models';
import { runSimilarityJob, type JobOptions, type ModelReport } from './similarity-job';
import { runIncrementalJob, type IncrementalOptions, type IncrementalReport } from './incremental-job';

export { LeaseHeldError } from '../graph/lease';

/** Computes the models' neighbours and switches each to its new version (see runSimilarityJob). */
export class SimilarityJob {
  private readonly repo: SimilarityRepository;

  constructor(
    graph: Graph,
    private readonly opts: JobOptions,
  ) {
    this.repo = new SimilarityRepository(graph);
  }

  async run(): Promise<ModelReport[]> {
    return runSimilarityJob(this.repo, this.opts);
  }
}

/** Refreshes the cosine-family models from their active versions for the users changed since (see runIncrementalJob). */
export class IncrementalJob {
  private readonly repo: SimilarityRepository;

  constructor(
    graph: Graph,
    private readonly opts: IncrementalOptions,
  ) {
    this.repo = new SimilarityRepository(graph);
  }

  async run(): Promise<IncrementalReport[]> {
    return runIncrementalJob(this.repo, this.opts);
  }
}

/** Which of `models` have no active version yet (never computed, or every run failed). */
export async function modelsWithoutVersion(graph: Graph, models: readonly ModelName[]): Promise<ModelName[]> {
  const repo = new SimilarityRepository(graph);
  const missing: ModelName[] = [];
  for (const m of models) {
    const node = await repo.model(m);
    if (node === null || node.version === null) missing.push(m);
  }
  return missing;
}

export type EvaluationJobOptions = Parameters<typeof runEvaluation>[1];

/** Hold-out evaluation of the models on the graph's data, stored on the model nodes unless `store` is false. */
export class EvaluationJob {
  private readonly repo: SimilarityRepository;

  constructor(
    graph: Graph,
    private readonly opts: EvaluationJobOptions,
  ) {
    this.repo = new SimilarityRepository(graph);
  }

  async run(): Promise<Evaluation> {
    return runEvaluation(this.repo, this.opts);
  }
}

/** What forgetting one user removed. */
export interface Forgotten {
  handle: number;
  /** Whether the user was in the graph (a handle not there is recorded as forgotten all the same). */
  found: boolean;
  /** SIMILAR_TO edges removed. */
  edges: number;
  /** Other users' lists renumbered. */
  lists: number;
}

/** Forgets users: each deleted with every relationship and recorded, so an import does not bring it back. */
export class ForgetJob {
  private readonly repo: SimilarityRepository;

  constructor(graph: Graph) {
    this.repo = new SimilarityRepository(graph);
  }

  /** One user after the other, in the order given; `onEach` hears each outcome as it is done. */
  async run(handles: readonly number[], onEach: (outcome: Forgotten) => void = () => undefined): Promise<Forgotten[]> {
    const out: Forgotten[] = [];
    for (const handle of handles) {
      const outcome = { handle, ...(await this.repo.forgetUser(handle)) };
      onEach(outcome);
      out.push(outcome);
    }
    return out;
  }
}
