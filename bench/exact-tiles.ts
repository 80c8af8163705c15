// `npm run bench -- exact-tiles`: the exact search's kernel (cosineBlock) with candidates in tiles of different sizes,
// the sizes taking turns on the same sampled users of the job's matrices (the host's speed drifts over minutes, so
// variants run one after the other would mislead). One thread; every size must give the same lists.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { defaultParams, modelMatrix, parseModels } from '../src/jobs/models';
import { l2NormalizeRows, transpose } from '../src/similarity/csr';
import { sampleRows } from '../src/similarity/sparse-ann';
import { cosineBlock, TILE_ROWS } from '../src/similarity/topk';
import { table } from '../src/text-table';
import { median } from './_stats';
import { loadSignals } from './_csv-signals';
import { ensureSignals } from './sparse-ann';

/** "all" (one tile over every row: the kernel before tiles), "default" (TILE_ROWS) or a positive integer. */
function tileSize(text: string, rows: number): number {
  if (text === 'all') return rows;
  if (text === 'default') return TILE_ROWS;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`--tiles: expected "all", "default" or positive integers, but got "${text}"`);
  }
  return n;
}

export function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string', default: '100000' },
      model: { type: 'string', default: 'course_views,assessments,interests,cosine' },
      tiles: { type: 'string', default: 'all,default' },
      sample: { type: 'string', default: '3000' },
      runs: { type: 'string', default: '3' },
    },
    strict: true,
  });
  const users = Number(values.users);
  const runs = Number(values.runs);
  const sample = Number(values.sample);
  if (!(Number.isInteger(runs) && runs >= 1)) throw new Error(`--runs: expected >= 1, but got "${values.runs}"`);
  if (!(Number.isInteger(sample) && sample >= 1))
    throw new Error(`--sample: expected >= 1, but got "${values.sample}"`);
  const models = parseModels(values.model).filter((m): m is Exclude<typeof m, 'als'> => m !== 'als');
  if (models.length === 0) throw new Error(`--model: expected cosine models, but got "${values.model}"`);
  const signals = loadSignals(ensureSignals(users));
  const params = defaultParams();
  const k = params.k;
  const tieKey = signals.users.handles;
  const rows: string[][] = [];
  const loads: number[] = [os.loadavg()[0]!];
  for (const model of models) {
    const m = l2NormalizeRows(modelMatrix(model, signals, params));
    const t = transpose(m);
    const queries = sampleRows(m.rows, Math.min(sample, m.rows), 7);
    const n = queries.length;
    const tiles = values.tiles.split(',').map((x) => ({ name: x, rows: tileSize(x, m.rows) }));
    const seconds = tiles.map(() => [] as number[]);
    let reference: { index: Int32Array; score: Float32Array } | undefined;
    let equal = true;
    for (let run = 0; run < runs; run++) {
      tiles.forEach((tile, v) => {
        const outIndex = new Int32Array(n * k);
        const outScore = new Float32Array(n * k);
        const t0 = performance.now();
        cosineBlock({
          m,
          t,
          k,
          rowStart: 0,
          rowEnd: n,
          tieKey,
          minScore: 0,
          outIndex,
          outScore,
          queries,
          tileRows: tile.rows,
        });
        seconds[v]!.push((performance.now() - t0) / 1000);
        reference ??= { index: outIndex, score: outScore };
        for (let x = 0; x < outIndex.length; x++) {
          if (outIndex[x] !== reference.index[x] || outScore[x] !== reference.score[x]) equal = false;
        }
      });
      process.stderr.write(
        `${model} run ${run + 1}: ${tiles.map((tl, v) => `${tl.name} ${seconds[v]!.at(-1)!.toFixed(2)} s`).join(', ')}\n`,
      );
      loads.push(os.loadavg()[0]!);
    }
    if (!equal) throw new Error(`${model}: expected every tile size to give the same lists, but they differ`);
    const base = median(seconds[0]!);
    tiles.forEach((tile, v) => {
      const med = median(seconds[v]!);
      rows.push([
        users.toLocaleString('en-US'),
        model,
        n.toLocaleString('en-US'),
        `${tile.name} (${tile.rows.toLocaleString('en-US')})`,
        seconds[v]!.map((s) => s.toFixed(2)).join(' / '),
        med.toFixed(2),
        ((med / n) * m.rows).toFixed(0),
        (base / med).toFixed(2),
      ]);
    });
  }
  process.stdout.write(
    table(
      [
        'users',
        'model',
        'sampled users',
        'tile rows',
        'runs s',
        'median s',
        'all users s (1 thread)',
        `vs ${values.tiles.split(',')[0]}`,
      ],
      rows,
    ) + '\n',
  );
  const cpus = os.cpus();
  process.stdout.write(
    `(${cpus[0]?.model.trim() ?? 'cpu'} x ${cpus.length}, 1 thread, Node ${process.version}; load average ` +
      `${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}; ${runs} runs, the sizes taking turns; every ` +
      `size gave the same lists)\n`,
  );
  return Promise.resolve(0);
}
