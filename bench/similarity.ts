// `npm run bench -- similarity`: our similarity math beside what a Python user would pick (scikit-learn for exact
// cosine, `implicit` for ALS) on the same exported matrices, then a scale table (time and peak memory per model).
// Every measured piece runs in its own child process, so each peak RSS belongs to that piece alone.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { alsMatrix } from '../src/jobs/als-model';
import { holdOut, recommendFromNeighbours, scoreRecommender, type RankingFigures } from '../src/jobs/metrics';
import {
  computeModel,
  cosineMatrix,
  defaultParams,
  estimateExactSeconds,
  MODEL_NAMES,
  modelMatrix,
  type ModelName,
  usesAnn,
} from '../src/jobs/models';
import { table } from '../src/text-table';
import { denseCosineTopK, trainAls } from '../src/similarity/als';
import { l2NormalizeRows } from '../src/similarity/csr';
import { cosineTopK } from '../src/similarity/topk';
import type { Csr, DenseMatrix, Neighbours } from '../src/similarity/types';
import { loadSignals, loadSignalsFromCsv, saveSignals } from './_csv-signals';
import { median } from './_stats';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'bench', 'out');
const VENV = path.join(ROOT, 'bench', '.venv');
const REAL = path.resolve(ROOT, '..', 'shared', 'data', 'pluralsight');

interface Meta {
  k: number;
  threads: number;
  x: { shape: [number, number] };
  c: { shape: [number, number] };
  c1: { shape: [number, number] };
  als: { factors: number; regularization: number; iterations: number; cgSteps: number; seed: number };
}

function writeCsr(dir: string, name: string, m: Csr): void {
  fs.writeFileSync(path.join(dir, `${name}.indptr.i32`), m.indptr);
  fs.writeFileSync(path.join(dir, `${name}.indices.i32`), m.indices);
  fs.writeFileSync(path.join(dir, `${name}.data.f32`), m.data);
}

function readTyped<T extends Int32Array | Float32Array>(file: string, make: (b: ArrayBuffer) => T): T {
  const buf = fs.readFileSync(file);
  const copy = new ArrayBuffer(buf.byteLength);
  new Uint8Array(copy).set(buf);
  return make(copy);
}

function readCsr(dir: string, name: string, shape: [number, number]): Csr {
  return {
    rows: shape[0],
    cols: shape[1],
    indptr: readTyped(path.join(dir, `${name}.indptr.i32`), (b) => new Int32Array(b)),
    indices: readTyped(path.join(dir, `${name}.indices.i32`), (b) => new Int32Array(b)),
    data: readTyped(path.join(dir, `${name}.data.f32`), (b) => new Float32Array(b)),
  };
}

const peakMiB = () => process.resourceUsage().maxRSS / 1024;
/** Runs this bench in a child process in one of its --child modes and parses the JSON line it prints last. */
function child(args: string[], timeoutSeconds = 0): Record<string, number> {
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  const out = execFileSync(tsx, [path.join(ROOT, 'bench', 'run.ts'), 'similarity', '--child', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutSeconds * 1000,
    killSignal: 'SIGKILL',
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
}

function python(args: string[]): Record<string, unknown> {
  // OPENBLAS_CORETYPE/L2_SIZE are set on this machine for old OpenBLAS builds; they slow a current one, so they are
  // unset for the peers' runs only (the report prints the kernel threadpoolctl sees).
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  // implicit runs its own threads and asks for a single-threaded BLAS; scikit-learn's product does not use BLAS.
  env.OPENBLAS_NUM_THREADS = args[0] === 'als' ? '1' : '2';
  env.OMP_NUM_THREADS = '2';
  const out = execFileSync(
    path.join(VENV, 'bin', 'python'),
    [path.join(ROOT, 'bench', 'python', 'peers.py'), ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
}

/** Creates bench/.venv with the pinned peers if it is missing; returns why not when it cannot. */
function ensureVenv(): string | undefined {
  const req = path.join(ROOT, 'bench', 'python', 'requirements.txt');
  const stamp = path.join(VENV, '.requirements');
  const want = fs.readFileSync(req, 'utf8');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) return undefined;
  process.stderr.write('Installing the Python peers into bench/.venv (pinned in bench/python/requirements.txt)...\n');
  const venv = spawnSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
  if (venv.status !== 0) return 'python3 -m venv failed';
  const pip = spawnSync(path.join(VENV, 'bin', 'pip'), ['install', '-q', '-r', req], { stdio: 'inherit' });
  if (pip.status !== 0) return 'pip install -r bench/python/requirements.txt failed';
  fs.writeFileSync(stamp, want);
  return undefined;
}

/** A generated data set of n users (seed 1) in bench/out/data-<n>, made once; with the real tables at 10,000. */
function ensureData(n: number): string {
  const dir = path.join(OUT, `data-${n}`);
  if (fs.existsSync(path.join(dir, 'communities.csv'))) return dir;
  fs.mkdirSync(dir, { recursive: true });
  const args = ['generate', '--users', String(n), '--seed', '1', '--out', dir];
  if (n === 10_000 && fs.existsSync(path.join(REAL, 'course_tags.csv.gz'))) {
    for (const f of ['course_tags.csv.gz', 'user_assessment_scores.csv.gz']) {
      fs.copyFileSync(path.join(REAL, f), path.join(dir, f));
    }
    args.push('--with-real', dir);
  }
  process.stderr.write(`Generating ${n.toLocaleString('en-US')} users into ${path.relative(ROOT, dir)}...\n`);
  execFileSync(process.execPath, [path.join(ROOT, 'bin', 'similar-users.js'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', process.stderr, 'inherit'],
  });
  return dir;
}

/** Share of sklearn's neighbours ours also has, counting a different pick tied with our k-th score as agreeing. */
function agreement(x: Csr, ours: Neighbours, theirs: Int32Array): { exact: number; upToTies: number } {
  const xn = l2NormalizeRows(x);
  const dense = new Float32Array(x.cols);
  const k = ours.k;
  let total = 0;
  let same = 0;
  let tied = 0;
  for (let r = 0; r < x.rows; r++) {
    const mine = new Set<number>();
    let last = Infinity;
    for (let j = 0; j < k; j++) {
      const i = ours.index[r * k + j]!;
      if (i < 0) break;
      mine.add(i);
      last = ours.score[r * k + j]!;
    }
    for (let p = xn.indptr[r]!; p < xn.indptr[r + 1]!; p++) dense[xn.indices[p]!] = xn.data[p]!;
    for (let j = 0; j < k; j++) {
      const i = theirs[r * k + j]!;
      if (i < 0) break;
      total++;
      if (mine.has(i)) {
        same++;
        continue;
      }
      let dot = 0;
      for (let p = xn.indptr[i]!; p < xn.indptr[i + 1]!; p++) dot += dense[xn.indices[p]!]! * xn.data[p]!;
      if (mine.size === k && Math.abs(dot - last) <= 1e-6) tied++;
    }
    for (let p = xn.indptr[r]!; p < xn.indptr[r + 1]!; p++) dense[xn.indices[p]!] = 0;
  }
  return total === 0 ? { exact: 1, upToTies: 1 } : { exact: same / total, upToTies: (same + tied) / total };
}

async function childMode(kind: string, rest: string[]): Promise<number> {
  const { values } = parseArgs({
    args: rest,
    options: { dir: { type: 'string' }, data: { type: 'string' }, model: { type: 'string' }, ann: { type: 'boolean' } },
    strict: true,
  });
  const emit = (o: Record<string, unknown>) =>
    process.stdout.write(`${JSON.stringify({ ...o, peakMiB: peakMiB() })}\n`);
  if (kind === 'ours-cosine' || kind === 'ours-als') {
    const dir = values.dir!;
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Meta;
    const handles = Float64Array.from({ length: meta.x.shape[0] }, (_, i) => i);
    if (kind === 'ours-cosine') {
      const x = readCsr(dir, 'x', meta.x.shape);
      const t = performance.now();
      const nb = await cosineTopK(x, meta.k, { tieKey: handles, threads: meta.threads });
      const seconds = (performance.now() - t) / 1000;
      fs.writeFileSync(path.join(dir, 'ours-cosine.index.i32'), nb.index);
      fs.writeFileSync(path.join(dir, 'ours-cosine.score.f32'), nb.score);
      emit({ seconds });
    } else {
      const c = readCsr(dir, 'c', meta.c.shape);
      const t = performance.now();
      const model = await trainAls(c, { ...meta.als, threads: meta.threads, computeLoss: false });
      const seconds = (performance.now() - t) / 1000;
      fs.writeFileSync(path.join(dir, 'ours-users.f32'), model.users.data);
      emit({ seconds, perIteration: seconds / meta.als.iterations });
    }
    return 0;
  }
  if (kind === 'prepare') {
    const t0 = performance.now();
    const { signals, rows } = await loadSignalsFromCsv(values.data!);
    const readSeconds = (performance.now() - t0) / 1000;
    saveSignals(path.join(values.data!, 'signals'), signals);
    emit({ users: signals.users.size, rows, readSeconds });
    return 0;
  }
  if (kind === 'model') {
    const t0 = performance.now();
    const signals = loadSignals(path.join(values.data!, 'signals'));
    const loadSeconds = (performance.now() - t0) / 1000;
    const params = defaultParams();
    params.ann = values.ann === true;
    const t1 = performance.now();
    const result = await computeModel(values.model as ModelName, signals, params);
    const computeSeconds = (performance.now() - t1) / 1000;
    // With the approximate search of a sparse model, time the exact search on a sample of users and project it.
    let exactProjected = -1;
    if (usesAnn(values.model as ModelName, params) && values.model !== 'als') {
      const m = modelMatrix(values.model as Exclude<ModelName, 'als'>, signals, params);
      exactProjected = await estimateExactSeconds(m, params.k, { threads: params.threads, sample: 2000 });
    }
    let edges = 0;
    for (let p = 0; p < result.neighbours.index.length; p++) if (result.neighbours.index[p]! >= 0) edges++;
    const recall = typeof result.details.annRecall === 'number' ? result.details.annRecall : -1;
    emit({
      users: signals.users.size,
      loadSeconds,
      computeSeconds,
      edges,
      nonZeros: result.nonZeros,
      annRecall: recall,
      exactProjected,
    });
    return 0;
  }
  throw new Error(`unknown child mode ${kind}`);
}

function alsFigures(users: DenseMatrix, split: ReturnType<typeof holdOut>, k: number, threads: number) {
  const tieKey = Float64Array.from({ length: users.rows }, (_, i) => i);
  return denseCosineTopK(users, k, { tieKey, threads }).then((nb) =>
    scoreRecommender(split, 10, (r) => recommendFromNeighbours(nb, split.train, r, 10)),
  );
}

async function peers(dataDir: string, runs: number): Promise<void> {
  const why = ensureVenv();
  const { signals } = await loadSignalsFromCsv(dataDir);
  const params = defaultParams();
  const dir = path.join(OUT, 'peer');
  fs.mkdirSync(dir, { recursive: true });
  // Exact cosine: the default model's matrix (all signals, weighted blocks). ALS: the training part of the
  // evaluation split, so both factor sets can be scored on the same hidden views.
  const x = cosineMatrix(signals, params);
  const split = holdOut(signals.views!, 0.2, 1);
  const c = alsMatrix({ ...signals, views: split.train }, params.als);
  const c1: Csr = { ...c, data: Float32Array.from(c.data, (v) => 1 + v) };
  writeCsr(dir, 'x', x);
  writeCsr(dir, 'c', c);
  writeCsr(dir, 'c1', c1);
  const meta: Meta = {
    k: params.k,
    threads: params.threads,
    x: { shape: [x.rows, x.cols] },
    c: { shape: [c.rows, c.cols] },
    c1: { shape: [c1.rows, c1.cols] },
    als: {
      factors: params.als.factors,
      regularization: params.als.regularization,
      iterations: params.als.iterations,
      cgSteps: params.als.cgSteps,
      seed: params.als.seed,
    },
  };
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta, null, 2));

  const oursCos: Array<Record<string, number>> = [];
  const oursAls: Array<Record<string, number>> = [];
  const skCos: Array<Record<string, unknown>> = [];
  const imAls: Array<Record<string, unknown>> = [];
  for (let i = 0; i < runs; i++) {
    oursCos.push(child(['ours-cosine', '--dir', dir]));
    oursAls.push(child(['ours-als', '--dir', dir]));
    if (why === undefined) {
      skCos.push(python(['cosine', dir]));
      imAls.push(python(['als', dir]));
    }
  }
  const m = (xs: Array<Record<string, unknown>>, key: string) => median(xs.map((o) => Number(o[key])));
  const k = params.k;
  const oursNb: Neighbours = {
    rows: x.rows,
    k,
    index: readTyped(path.join(dir, 'ours-cosine.index.i32'), (b) => new Int32Array(b)),
    score: readTyped(path.join(dir, 'ours-cosine.score.f32'), (b) => new Float32Array(b)),
  };
  const f = params.als.factors;
  const oursUsers: DenseMatrix = {
    rows: c.rows,
    cols: f,
    data: readTyped(path.join(dir, 'ours-users.f32'), (b) => new Float32Array(b)),
  };
  const ours = await alsFigures(oursUsers, split, k, params.threads);
  let theirs: RankingFigures | undefined;
  let agree: { exact: number; upToTies: number } | undefined;
  if (why === undefined) {
    agree = agreement(
      x,
      oursNb,
      readTyped(path.join(dir, 'sklearn-cosine.index.i32'), (b) => new Int32Array(b)),
    );
    const data = readTyped(path.join(dir, 'implicit-users.f32'), (b) => new Float32Array(b));
    theirs = await alsFigures({ rows: c.rows, cols: data.length / c.rows, data }, split, k, params.threads);
  }
  const fmt = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '-');
  const rows: string[][] = [
    [
      'exact cosine top-10',
      'ours (cosineTopK)',
      fmt(m(oursCos, 'seconds')),
      fmt(m(oursCos, 'peakMiB'), 0),
      why === undefined ? fmt(m(oursCos, 'seconds') / m(skCos, 'seconds')) : '-',
      agree !== undefined ? `overlap ${agree.exact.toFixed(4)}, up to ties ${agree.upToTies.toFixed(4)}` : '',
    ],
    [
      '',
      'scikit-learn (normalize, X @ X.T blocks, argpartition)',
      fmt(m(skCos, 'seconds')),
      fmt(m(skCos, 'peakMiB'), 0),
      '',
      '',
    ],
    [
      `ALS f=${f} reg=${params.als.regularization} it=${params.als.iterations}`,
      'ours (trainAls, CG 3 steps)',
      `${fmt(m(oursAls, 'seconds'))} (${fmt(m(oursAls, 'perIteration'), 3)}/it)`,
      fmt(m(oursAls, 'peakMiB'), 0),
      why === undefined ? `${fmt(m(oursAls, 'perIteration') / m(imAls, 'perIteration'))} per it` : '-',
      `recall@10 ${ours.recall.toFixed(4)}, NDCG@10 ${ours.ndcg.toFixed(4)}`,
    ],
    [
      '',
      'implicit (AlternatingLeastSquares, use_cg)',
      `${fmt(m(imAls, 'seconds'))} (${fmt(m(imAls, 'perIteration'), 3)}/it)`,
      fmt(m(imAls, 'peakMiB'), 0),
      '',
      theirs !== undefined ? `recall@10 ${theirs.recall.toFixed(4)}, NDCG@10 ${theirs.ndcg.toFixed(4)}` : '',
    ],
  ];
  process.stdout.write(
    `\nPeers on ${path.relative(ROOT, dataDir)}: ${x.rows.toLocaleString('en-US')} users; cosine matrix ${x.cols} cols, ` +
      `${x.indptr[x.rows]} nnz; ALS matrix ${c.cols} cols, ${c.indptr[c.rows]} nnz (training split); median of ${runs} runs, 2 threads each\n` +
      `${table(['task', 'tool', 'time s', 'peak MiB', 'ours/theirs', 'agreement / quality'], rows, [1, 5])}\n`,
  );
  if (why !== undefined) process.stdout.write(`Python peers not run: ${why}\n`);
  else process.stdout.write(`BLAS seen by the peers: ${JSON.stringify(imAls[0]?.blas ?? skCos[0]?.blas)}\n`);
}

function scale(sizes: number[], models: ModelName[], annAbove: number, timeoutSeconds: number): void {
  const rows: string[][] = [];
  const prepared: string[][] = [];
  for (const n of sizes) {
    const dir = ensureData(n);
    const stamp = path.join(dir, 'signals', 'prepare.json');
    if (!fs.existsSync(stamp)) {
      const r = child(['prepare', '--data', dir]);
      fs.writeFileSync(stamp, JSON.stringify(r));
    }
    const prep = JSON.parse(fs.readFileSync(stamp, 'utf8')) as Record<string, number>;
    prepared.push([
      n.toLocaleString('en-US'),
      prep.rows!.toLocaleString('en-US'),
      prep.readSeconds!.toFixed(1),
      prep.peakMiB!.toFixed(0),
    ]);
    for (const model of models) {
      const ann = n > annAbove && usesAnn(model, { ann: true });
      const label = model + (ann ? ' (approx.)' : '');
      try {
        const r = child(['model', '--data', dir, '--model', model, ...(ann ? ['--ann'] : [])], timeoutSeconds);
        rows.push([
          n.toLocaleString('en-US'),
          label,
          r.nonZeros!.toLocaleString('en-US'),
          r.computeSeconds!.toFixed(1),
          r.edges!.toLocaleString('en-US'),
          r.peakMiB!.toFixed(0),
          r.annRecall! >= 0 ? r.annRecall!.toFixed(3) : '',
          r.exactProjected! >= 0 ? r.exactProjected!.toFixed(0) : '',
        ]);
      } catch (err) {
        const e = err as { signal?: string; message: string };
        const why =
          e.signal === 'SIGKILL' ? `stopped after ${timeoutSeconds} s` : `failed: ${e.message.split('\n')[0]}`;
        rows.push([n.toLocaleString('en-US'), label, '', why, '', '', '', '']);
      }
      process.stderr.write(`${rows.at(-1)!.join('  ')}\n`);
    }
  }
  process.stdout.write(
    `\nScale: generated users (seed 1), CSV parsed once into matrices, then one child process per model ` +
      `(load matrices + compute top-10; no Neo4j), ${os.cpus().length} cores\n` +
      `${table(['users', 'CSV rows', 'CSV -> matrices s', 'peak MiB'], prepared)}\n\n` +
      `${table(['users', 'model', 'matrix nnz', 'compute s', 'edges', 'peak MiB', 'recall', 'exact s (projected)'], rows)}\n` +
      `approx.: --ann (als: HNSW over the factors; interests and cosine: projection + HNSW + refinement, exact re-rank; course_views and assessments stay exact); ` +
      `recall@10 against the exact search on 500 seeded users; exact s (projected): the exact search timed on ` +
      `2,000 seeded users (less its fixed cost, timed on none), times users / 2,000\n`,
  );
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--child') return childMode(argv[1] ?? '', argv.slice(2));
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      runs: { type: 'string' },
      scale: { type: 'string' },
      model: { type: 'string' },
      'skip-peers': { type: 'boolean' },
      'ann-above': { type: 'string' },
      timeout: { type: 'string' },
    },
    strict: true,
  });
  const runs = Number(values.runs ?? 3);
  process.stdout.write(
    `machine: ${os.cpus()[0]?.model ?? '?'} x ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}\n`,
  );
  if (values['skip-peers'] !== true) await peers(values.data ?? ensureData(10_000), runs);
  const sizes = (values.scale ?? '10000,100000')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  const models = values.model === undefined ? [...MODEL_NAMES] : (values.model.split(',') as ModelName[]);
  if (sizes.length > 0) scale(sizes, models, Number(values['ann-above'] ?? 200_000), Number(values.timeout ?? 900));
  return 0;
}
