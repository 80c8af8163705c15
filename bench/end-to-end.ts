// The whole pipeline at a given size, as an operator runs it: import the four tables into an empty, dedicated
// local Neo4j, compute and write every model, then start the API until /readyz answers. Each step runs the real
// CLI in a child process; the table gives its wall time and peak memory, and the total. Generating the data is
// not timed (it is made once and kept in bench/out/end-to-end/).
//
//   npm run bench -- end-to-end [--users 1000000] [--runs 1] [--ann] [--models all]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../src/config';
import type { ImportReport } from '../src/ingest/importer';
import { freePort } from '../src/localdb/server';
import { emptyGraph, generatedDataSet, runCli, startBenchNeo4j } from './_local-neo4j';

const OUT = path.join(PROJECT_ROOT, 'bench', 'out', 'end-to-end');
const PASSWORD = 'bench-end-to-end-password';

interface Step {
  step: string;
  seconds: number;
  peakMiB: number | undefined;
  note: string;
}

const n = (v: number) => Math.round(v).toLocaleString('en-US');

/** How long the bench waits, after /readyz, for the live answers' indexes to leave `warming`. */
const LIVE_WAIT_S = 1800;

/**
 * Starts `serve` and waits for /readyz (startup waits up to 20 s for the live indexes, then lets them finish in the
 * background), then until /readyz's `live` leaves `warming` (at most LIVE_WAIT_S); then stops it with SIGTERM.
 * Resolves with the time to ready, to the live indexes' end and their state, and the time from SIGTERM to exit; a
 * server still running 60 s after SIGTERM is killed, and that is reported as its stop time.
 */
async function serveUntilReady(
  env: NodeJS.ProcessEnv,
  port: number,
): Promise<{ ready: number; live: number | undefined; liveState: string; stop: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'similar-users.js'), 'serve'], {
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  let ready: number | undefined;
  let live: number | undefined;
  let liveState = 'warming';
  let failed: unknown;
  try {
    while (live === undefined) {
      if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode} before /readyz answered`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        if (res.status === 200) {
          const now = (performance.now() - started) / 1000;
          ready ??= now;
          liveState = ((await res.json()) as { live?: string }).live ?? 'unknown';
          if (liveState !== 'warming') live = now;
          else if (now - ready > LIVE_WAIT_S) break;
        }
      } catch {
        // not listening yet
      }
      if (live === undefined) await new Promise((r) => setTimeout(r, ready === undefined ? 200 : 1000));
    }
  } catch (err) {
    failed = err;
  }
  const stopping = performance.now();
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 60_000))),
  ]);
  clearTimeout(timer);
  if (late) {
    child.kill('SIGKILL');
    await exited;
  }
  if (ready === undefined) throw failed;
  const stop = late
    ? 'still running 60 s after SIGTERM (killed)'
    : `exited ${((performance.now() - stopping) / 1000).toFixed(1)} s after SIGTERM`;
  return { ready, live, liveState, stop };
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string' },
      runs: { type: 'string' },
      ann: { type: 'boolean' },
      models: { type: 'string' },
      keep: { type: 'boolean' },
    },
  });
  const users = Number(values.users ?? 10_000);
  const runs = Number(values.runs ?? 1);
  if (!Number.isInteger(users) || users < 100)
    throw new Error(`--users: expected an integer >= 100, got ${values.users}`);
  const dir = await generatedDataSet(OUT, users);
  const { config, graph, env, stop } = await startBenchNeo4j('end-to-end', PASSWORD, { heap: '4g', pagecache: '2g' });
  const all: Step[][] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      await emptyGraph(graph);
      const steps: Step[] = [];
      process.stderr.write(`run ${run} of ${runs}: import\n`);
      const summary = path.join(os.tmpdir(), `e2e-bench-${process.pid}.json`);
      const imp = await runCli(
        ['import', '--data', dir, '--summary-json', summary, '--rejects', path.join(os.tmpdir(), 'e2e-rejects.csv')],
        env,
      );
      fs.writeFileSync(path.join(OUT, `import-${users}-run${run}.log`), imp.out);
      const report = JSON.parse(fs.readFileSync(summary, 'utf8')) as ImportReport;
      const rows = report.files.reduce((t, f) => t + f.read, 0);
      steps.push({
        step: 'import',
        seconds: imp.seconds,
        peakMiB: report.peakRssBytes / 2 ** 20,
        note: `${n(rows)} rows, ${n(rows / imp.seconds)} rows/s`,
      });
      process.stderr.write(`run ${run} of ${runs}: similarity\n`);
      const sim = await runCli(
        ['similarity', '--model', values.models ?? 'all', ...(values.ann === true ? ['--ann'] : [])],
        env,
      );
      // The job's own report (per model: search chosen, compute, writes, recall) is kept beside the data.
      fs.writeFileSync(path.join(OUT, `similarity-${users}-run${run}.log`), sim.out);
      const peak = /peak memory (\d+) MiB/.exec(sim.out);
      const edges = /^total\s.*?([\d,]+)\s/m.exec(sim.out);
      const chosen = /default model \(served when a client names none\): (\w+)/.exec(sim.out);
      steps.push({
        step: `similarity (${values.models ?? 'all'}${values.ann === true ? ', --ann' : ''})`,
        seconds: sim.seconds,
        peakMiB: peak !== null ? Number(peak[1]) : undefined,
        note: `${edges?.[1] ?? '?'} edges, default ${chosen?.[1] ?? '?'}`,
      });
      process.stderr.write(`run ${run} of ${runs}: serve until /readyz\n`);
      const served = await serveUntilReady(env, await freePort());
      steps.push({
        step: 'serve until /readyz',
        seconds: served.ready,
        peakMiB: undefined,
        note: `live answers ${served.liveState}${served.live === undefined ? ` after ${LIVE_WAIT_S} s more` : ''}`,
      });
      steps.push({
        step: 'serve until live ready',
        seconds: served.live ?? Number.NaN,
        peakMiB: undefined,
        note: `(after startup, not in the total); then ${served.stop}`,
      });
      all.push(steps);
    }
  } finally {
    await stop(values.keep === true);
  }
  const cpus = os.cpus();
  process.stdout.write(
    `\nEnd to end: ${n(users)} generated users (seed 1), ${cpus.length} x ${cpus[0]?.model ?? '?'}, ` +
      `${n(os.totalmem() / 2 ** 30)} GiB RAM, load average ${os.loadavg()[0]?.toFixed(1) ?? '?'} at the end, ` +
      `node ${process.version}, Neo4j ${config.neo4j.local?.version ?? '?'} (heap ${config.neo4j.local?.heap ?? '?'}, ` +
      `page cache ${config.neo4j.local?.pagecache ?? '?'}), ${runs} run(s) into an emptied database; medians.\n\n`,
  );
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor((s.length - 1) / 2)] ?? 0;
  };
  const header = ['step', 'wall s (median)', 'peak MiB', 'notes (last run)'];
  const body = (all[0] ?? []).map((first, i) => {
    const secs = all.map((steps) => steps[i]!.seconds);
    const last = all[all.length - 1]![i]!;
    return [first.step, median(secs).toFixed(1), last.peakMiB !== undefined ? n(last.peakMiB) : '-', last.note];
  });
  // The live indexes' time runs from the server's start, within and after /readyz: not added to the total.
  const total = median(
    all.map((steps) => steps.reduce((t, s) => t + (s.step === 'serve until live ready' ? 0 : s.seconds), 0)),
  );
  body.push(['total', total.toFixed(1), '', '']);
  const w = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => (i === 0 || i === 3 ? x.padEnd(w[i]!) : x.padStart(w[i]!)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${[line(header), line(w.map((x) => '-'.repeat(x))), ...body.map(line)].join('\n')}\n`);
  process.stdout.write(
    `\nEach step's own report (last run): ${path.relative(PROJECT_ROOT, OUT)}/{import,similarity}-${users}-run${runs}.log\n`,
  );
  return 0;
}
