// Import throughput and memory: generates the full-size set (two real tables + 10,000 generated users) and a
// large generated set, then imports each into a dedicated local Neo4j with the real CLI in a child process.
// Prints rows/s per file and overall, wall time and the importer's peak RSS; medians over --runs for the
// full-size set. The database is emptied before every run, so each run is a first import.
//
//   npm run bench -- import [--runs 3] [--warmup 1] [--large-users 1000000] [--batch-size N] [--writers 1,2]
//                           [--skip-large] [--skip-full] [--keep]
// A warm-up import (not counted) runs first, so that the medians are not those of a cold JVM. --writers with several
// values runs each in turn within every run (so that a slow spell of a shared machine hits all of them).
// --keep leaves the last imported graph in .neo4j/bench-import/data.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../src/config';
import { generate } from '../src/generate/generate';
import type { ImportReport } from '../src/ingest/importer';
import { silentLogger } from '../src/log';
import { emptyGraph, REAL, startBenchNeo4j } from './_local-neo4j';
import { median } from './_stats';

const OUT = path.join(PROJECT_ROOT, 'bench', 'out', 'import');
const PASSWORD = 'bench-import-password';

interface Run {
  set: string;
  run: number;
  writers: string | undefined;
  wall: number;
  report: ImportReport;
}

const n = (v: number) => Math.round(v).toLocaleString('en-US');
async function dataSet(name: string, users: number, withReal: boolean): Promise<string> {
  const dir = path.join(OUT, name);
  if (fs.existsSync(path.join(dir, '.complete'))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  if (withReal) {
    for (const f of ['course_tags.csv.gz', 'user_assessment_scores.csv.gz']) {
      fs.copyFileSync(path.join(REAL, f), path.join(dir, f));
    }
  }
  process.stderr.write(`generating ${name} (${n(users)} users) into ${dir}\n`);
  const s = await generate({ users, seed: 1, out: dir, withReal: withReal ? dir : undefined, logger: silentLogger });
  process.stderr.write(`  generated in ${s.seconds.toFixed(0)} s\n`);
  fs.writeFileSync(path.join(dir, '.complete'), '');
  return dir;
}

function importChild(
  uri: string,
  dir: string,
  batchSize: string | undefined,
  writers: string | undefined,
): Promise<{ wall: number; report: ImportReport }> {
  const summary = path.join(os.tmpdir(), `import-bench-${process.pid}.json`);
  const args = [path.join(PROJECT_ROOT, 'bin', 'similar-users.js'), 'import', '--data', dir, '--summary-json', summary];
  if (batchSize !== undefined) args.push('--batch-size', batchSize);
  if (writers !== undefined) args.push('--writers', writers);
  args.push('--rejects', path.join(os.tmpdir(), `import-bench-rejects-${process.pid}.csv`));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, NEO4J_URI: uri, NEO4J_USER: 'neo4j', NEO4J_PASSWORD: PASSWORD },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const wall = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`import exited with ${code}`));
      const report = JSON.parse(fs.readFileSync(summary, 'utf8')) as ImportReport;
      fs.rmSync(summary, { force: true });
      resolve({ wall, report });
    });
  });
}

function table(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(w[i] ?? 0) : x.padStart(w[i] ?? 0))).join('  ');
  return [line(header), line(w.map((x) => '-'.repeat(x))), ...rows.map(line)].join('\n');
}

function rowsOf(runs: Run[]): string[][] {
  const files = runs[0]?.report.files.map((f) => f.file) ?? [];
  return runs.map((r) => {
    const total = r.report.files.reduce((t, f) => t + f.read, 0);
    return [
      `${r.set} #${r.run}${r.writers !== undefined ? `, ${r.writers} writer(s)` : ''}`,
      n(total),
      r.wall.toFixed(1),
      n(total / r.wall),
      ...files.map((name) => {
        const f = r.report.files.find((x) => x.file === name);
        return f !== undefined && f.seconds > 0 ? n(f.read / f.seconds) : '-';
      }),
      n(r.report.peakRssBytes / 2 ** 20),
    ];
  });
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      'large-users': { type: 'string' },
      'batch-size': { type: 'string' },
      writers: { type: 'string' },
      'skip-large': { type: 'boolean' },
      'skip-full': { type: 'boolean' },
      warmup: { type: 'string' },
      keep: { type: 'boolean' },
    },
  });
  const runs = Number(values.runs ?? 3);
  const warmups = Number(values.warmup ?? 1);
  const largeUsers = Number(values['large-users'] ?? 1_000_000);
  const writerChoices: (string | undefined)[] = values.writers?.split(',') ?? [undefined];

  const full = await dataSet('full-10000', 10_000, true);
  const large = values['skip-large'] === true ? undefined : await dataSet(`generated-${largeUsers}`, largeUsers, false);

  const { config, graph, stop } = await startBenchNeo4j('import', PASSWORD, { heap: '2g', pagecache: '1g' });
  const results: Run[] = [];
  try {
    for (let w = 1; w <= warmups; w++) {
      await emptyGraph(graph);
      process.stderr.write(`warm-up import ${w} of ${warmups} (not counted)\n`);
      await importChild(config.neo4j.uri, full, values['batch-size'], writerChoices[0]);
    }
    const sets: [string, string][] = values['skip-full'] === true ? [] : [['full-10000', full]];
    if (large !== undefined) sets.push([`generated-${largeUsers}`, large]);
    for (const [set, dir] of sets) {
      const times = set === 'full-10000' ? runs : 1;
      for (let run = 1; run <= times; run++) {
        for (const writers of writerChoices) {
          await emptyGraph(graph);
          const with_ = writers !== undefined ? `, ${writers} writer(s)` : '';
          process.stderr.write(`import ${set}, run ${run} of ${times}${with_}\n`);
          const { wall, report } = await importChild(config.neo4j.uri, dir, values['batch-size'], writers);
          results.push({ set, run, writers, wall, report });
        }
      }
    }
  } finally {
    await stop(values.keep === true);
  }

  const cpus = os.cpus();
  process.stdout.write(
    `\nImport benchmark: ${cpus.length} x ${cpus[0]?.model ?? '?'}, ${n(os.totalmem() / 2 ** 30)} GiB RAM, ` +
      `load average ${os.loadavg()[0]?.toFixed(1) ?? '?'} at the end, node ${process.version}, Neo4j ${config.neo4j.local?.version ?? '?'} ` +
      `(heap ${config.neo4j.local?.heap ?? '?'}, page cache ${config.neo4j.local?.pagecache ?? '?'}), ` +
      `batch ${n(results[0]?.report.batchSize ?? 0)} rows. Each run imports into an emptied database, after ${warmups} warm-up import(s).\n\n`,
  );
  const files = results[0]?.report.files.map((f) => `${f.table} rows/s`) ?? [];
  const header = ['set / run', 'rows', 'wall s', 'rows/s', ...files, 'peak RSS MiB'];
  process.stdout.write(`${table(header, rowsOf(results))}\n`);
  for (const writers of writerChoices) {
    const small = results.filter((r) => r.set === 'full-10000' && r.writers === writers);
    if (small.length <= 1) continue;
    const total = small[0]?.report.files.reduce((t, f) => t + f.read, 0) ?? 0;
    const walls = small.map((r) => r.wall);
    process.stdout.write(
      `\nfull-10000${writers !== undefined ? `, ${writers} writer(s),` : ''} median of ${small.length}: ` +
        `${median(walls).toFixed(1)} s, ${n(total / median(walls))} rows/s, ` +
        `peak RSS ${n(median(small.map((r) => r.report.peakRssBytes)) / 2 ** 20)} MiB\n`,
    );
  }
  for (const r of results.filter((x) => x.set !== 'full-10000')) {
    const total = r.report.files.reduce((t, f) => t + f.read, 0);
    const perMillion = r.wall / (total / 1e6);
    process.stdout.write(
      `${r.set}: ${n(total)} rows in ${r.wall.toFixed(0)} s (${perMillion.toFixed(1)} s per million rows); ` +
        `graph ${n(r.report.counts.users)} users, ${n(r.report.counts.viewed)} VIEWED, ${n(r.report.counts.interested)} INTERESTED_IN\n`,
    );
  }
  return 0;
}
