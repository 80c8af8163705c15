// `npm run bench -- similarity-math [--users 10000] [--repeat 3] [--als-iterations 3]`: the pure similarity kernels
// on synthetic matrices shaped like the product's (no database), wall and CPU time medians and peak memory.
import os from 'node:os';
import { denseCosineTopK, hnswTopK, recallAgainst, seededRandom, trainAls } from '../src/similarity/als';
import { csrFromTriples, hstack, l2NormalizeRows, multiply, nnz, scale } from '../src/similarity/csr';
import { createPool } from '../src/similarity/pool';
import type { Pool } from '../src/similarity/pool';
import { cosineTopK } from '../src/similarity/topk';
import type { Csr } from '../src/similarity/types';
import { bm25, log1pValues, tfidf } from '../src/similarity/weighting';

interface Options {
  users: number;
  repeat: number;
  alsIterations: number;
  k: number;
  /** 0 skips the denser combined cosine (its work grows with users squared times tag popularity). */
  combined: number;
}

function parse(argv: string[]): Options {
  const o: Options = { users: 10000, repeat: 3, alsIterations: 3, k: 10, combined: 1 };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const n = Number(argv[i + 1]);
    if (!Number.isInteger(n) || n < (name === '--combined' ? 0 : 1)) {
      throw new Error(`expected a positive integer (0 or 1 for --combined) after ${name}, but got ${argv[i + 1]}`);
    }
    if (name === '--users') o.users = n;
    else if (name === '--repeat') o.repeat = n;
    else if (name === '--als-iterations') o.alsIterations = n;
    else if (name === '--k') o.k = n;
    else if (name === '--combined') o.combined = n;
    else throw new Error(`expected --users, --repeat, --als-iterations, --k or --combined, but got ${name}`);
  }
  return o;
}

/** Views: ~30 courses per user out of 7,000 with skewed popularity; course tags: 1-5 of 1,000 tags per course. */
function synthetic(users: number): { views: Csr; courseTags: Csr } {
  const courses = 7000;
  const tags = 1000;
  const rand = seededRandom(1);
  const total = users * 30;
  const r = new Int32Array(total);
  const c = new Int32Array(total);
  const v = new Float32Array(total);
  for (let t = 0; t < total; t++) {
    r[t] = Math.floor(t / 30);
    c[t] = Math.floor(rand() ** 2 * courses);
    v[t] = 60 + Math.floor(rand() * 3600);
  }
  const views = csrFromTriples(users, courses, r, c, v, 'sum');
  const cr: number[] = [];
  const cc: number[] = [];
  for (let course = 0; course < courses; course++) {
    for (let q = 1 + Math.floor(rand() * 5); q > 0; q--) {
      cr.push(course);
      cc.push(Math.floor(rand() * tags));
    }
  }
  const ones = new Float32Array(cr.length).fill(1);
  return {
    views,
    courseTags: csrFromTriples(courses, tags, Int32Array.from(cr), Int32Array.from(cc), ones, 'max'),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed<T>(repeat: number, fn: () => Promise<T>): Promise<{ wall: number; cpu: number; out: T }> {
  const walls: number[] = [];
  const cpus: number[] = [];
  let out: T | undefined;
  for (let i = 0; i < repeat; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    out = await fn();
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  return { wall: median(walls), cpu: median(cpus), out: out as T };
}

export async function main(argv: string[]): Promise<number> {
  const o = parse(argv);
  const rows: string[][] = [];
  const add = (what: string, input: string, threads: string, t: { wall: number; cpu: number }, note = '') =>
    rows.push([what, input, threads, (t.wall / 1000).toFixed(3), (t.cpu / 1000).toFixed(3), note]);

  const { views, courseTags } = synthetic(o.users);
  const tieKey = Int32Array.from({ length: o.users }, (_, i) => i);
  const viewsW = bm25(log1pValues(views));
  const combined = () =>
    hstack([l2NormalizeRows(viewsW), scale(l2NormalizeRows(tfidf(multiply(log1pValues(views), courseTags))), 0.5)]);
  const shape = (m: Csr) => `${m.rows}x${m.cols}, nnz ${nnz(m)}`;

  let pool: Pool | undefined;
  try {
    const start = await timed(1, async () => {
      const started = createPool(2);
      pool = started;
      // A two-row search in two blocks, one per worker: both are up, with the kernels loaded, when it returns.
      const tiny = csrFromTriples(2, 1, Int32Array.of(0, 1), Int32Array.of(0, 0), Float32Array.of(1, 1), 'sum');
      await cosineTopK(tiny, 1, { tieKey: Float64Array.of(0, 1), pool: started, blockRows: 1 });
    });
    add('worker pool start', '-', '2', start);
    const p = pool as unknown as Pool;
    const inputs: Array<[string, Csr]> = [['cosine top-k (views)', viewsW]];
    if (o.combined !== 0) inputs.push(['cosine top-k (views + course tags)', combined()]);
    for (const [name, m] of inputs) {
      add(name, shape(m), '1', await timed(o.repeat, () => cosineTopK(m, o.k, { tieKey, threads: 1 })));
      add(name, shape(m), '2', await timed(o.repeat, () => cosineTopK(m, o.k, { tieKey, pool: p })));
    }

    const c = scale(log1pValues(views), 2);
    for (const kernel of ['simd', 'js'] as const) {
      const iterations = kernel === 'js' ? 1 : o.alsIterations;
      const als = await timed(1, () =>
        trainAls(c, { factors: 64, iterations, seed: 1, pool: p, kernel, computeLoss: false }),
      );
      const perIt = median(als.out.iterationMs);
      // CPU per iteration includes the one-off setup (transpose, copies, initialisation) spread over the iterations.
      add(`ALS per iteration (${kernel})`, `${shape(c)}, 64 factors, 3 CG steps`, '2', {
        wall: perIt,
        cpu: als.cpu / iterations,
      });
    }
    const model = await trainAls(c, { factors: 64, iterations: o.alsIterations, seed: 1, pool: p, computeLoss: false });
    const f = model.users;
    const sample =
      o.users > 20000 ? Int32Array.from({ length: 1000 }, (_, i) => Math.floor((i * o.users) / 1000)) : undefined;
    const exact = await timed(sample === undefined ? o.repeat : 1, () =>
      denseCosineTopK(f, o.k, { tieKey, pool: p, ...(sample !== undefined ? { queryRows: sample } : {}) }),
    );
    add(
      'exact dense cosine top-k (simd)',
      `${f.rows}x${f.cols}${sample !== undefined ? `, ${sample.length} sampled queries` : ''}`,
      '2',
      exact,
    );
    const ann = await timed(1, () => hnswTopK(f, o.k, { tieKey, efSearch: 100, pool: p }));
    add(
      'HNSW build + search (M 16, ef 100/100, 2 shards)',
      `${f.rows}x${f.cols}`,
      '2',
      ann,
      `recall@${o.k} ${recallAgainst(exact.out, ann.out).toFixed(4)}`,
    );
  } finally {
    await pool?.close();
  }

  const header = ['kernel', 'input', 'threads', 'wall s (median)', 'cpu s (median)', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((x, i) => x.padEnd(widths[i]!)).join(' | ');
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  process.stdout.write(
    `machine: ${os.cpus().length} x ${cpu}, node ${process.version}, load average ${os.loadavg()[0]!.toFixed(2)}\n` +
      `users ${o.users}, k ${o.k}, repeats ${o.repeat} (medians), ALS iterations ${o.alsIterations}\n\n` +
      `${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n${rows.map(line).join('\n')}\n\n` +
      `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (worker threads included)\n`,
  );
  return 0;
}
