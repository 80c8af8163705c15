// Imports that die: each run is recorded as an ImportRun; one killed (SIGKILL) or interrupted (SIGINT) at a random
// batch is reported and redone by the next import, which leaves exactly the graph of one clean import.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config';
import type { Graph } from '../../src/graph/executor';
import { IngestRepository } from '../../src/graph/ingest-repository';
import { Importer } from '../../src/ingest/importer';
import { findTables } from '../../src/ingest/reader';
import { recoverImports } from '../../src/ingest/recovery';
import { silentLogger, type Logger } from '../../src/log';
import { resetGraph, testConfig, testGraph } from '../helpers/neo4j';

let graph: Graph;
let work: string;
let data: string;
let clean: Counts;

interface Counts {
  nodes: Record<string, number>;
  rels: Record<string, number>;
}

/** Imported nodes per label and relationships per type (the ImportRun bookkeeping aside). */
async function counts(): Promise<Counts> {
  const nodes = await graph.read<{ label: string; n: number }>(
    'MATCH (n) WHERE NOT n:ImportRun RETURN labels(n)[0] AS label, count(*) AS n ORDER BY label',
  );
  const rels = await graph.read<{ type: string; n: number }>(
    'MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n ORDER BY type',
  );
  return {
    nodes: Object.fromEntries(nodes.map((r) => [r.label, r.n])),
    rels: Object.fromEntries(rels.map((r) => [r.type, r.n])),
  };
}

const total = (c: Counts) => Object.values(c.rels).reduce((a, b) => a + b, 0);

function cli(args: string[]) {
  const cfg = testConfig();
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'similar-users.js'), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NEO4J_URI: cfg.neo4j.uri, NEO4J_PASSWORD: cfg.neo4j.password ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, out })),
  );
  return { child, exited };
}

/** Starts `import` on the sample data in small batches and signals it once a random share of it is written. */
async function importUntil(signal: NodeJS.Signals, share: number) {
  const { child, exited } = cli(['import', '--data', data, '--batch-size', '500']);
  const target = Math.floor(total(clean) * share);
  let at = -1;
  while (child.exitCode === null && child.signalCode === null) {
    const [row] = await graph.read<{ n: number }>('MATCH ()-[r]->() RETURN count(r) AS n');
    if ((row?.n ?? 0) >= target) {
      at = row!.n;
      child.kill(signal);
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { at, ...(await exited) };
}

function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warn: (m) => lines.push(`warning: ${m}`) };
}

beforeAll(async () => {
  graph = testGraph();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'import-recovery-'));
  data = path.join(work, 'data');
  fs.mkdirSync(data);
  for (const f of fs.readdirSync(path.join(PROJECT_ROOT, 'data')))
    if (f.endsWith('.csv.gz')) fs.copyFileSync(path.join(PROJECT_ROOT, 'data', f), path.join(data, f));
  // The reference: one clean import of the sample data.
  await resetGraph(graph);
  const devNull = fs.createWriteStream('/dev/null') as unknown as NodeJS.WriteStream;
  const report = await new Importer(graph, {
    batchSize: 2000,
    rejectsPath: path.join(work, 'clean-rejects.csv'),
    log: silentLogger,
    progressStream: devNull,
  }).run(findTables(data));
  clean = await counts();
  expect(total(clean)).toBeGreaterThan(100_000);
  const runs = await graph.read('MATCH (r:ImportRun) RETURN r.id AS id, r.completedAt IS NOT NULL AS done');
  expect(runs).toEqual([{ id: report.runId, done: true }]);
}, 300_000);

afterAll(async () => {
  await graph.close();
  fs.rmSync(work, { recursive: true, force: true });
});

test('an import killed (SIGKILL) at a random batch is reported and redone by the next import: same counts as a clean import', async () => {
  await resetGraph(graph);
  const share = 0.1 + 0.6 * Math.random();
  const killed = await importUntil('SIGKILL', share);
  expect(killed.signal).toBe('SIGKILL');
  expect(killed.at).toBeGreaterThan(0);
  const partial = await counts();
  expect(total(partial)).toBeLessThan(total(clean));
  const [dead] = await new IngestRepository(graph).incompleteImportRuns();
  expect(dead).toMatchObject({ dir: data, files: expect.arrayContaining(['user_course_views.csv.gz']) as unknown });

  const again = await cli(['import', '--data', data]).exited;
  expect(again.code).toBe(0);
  expect(again.out).toContain(`warning: an import of ${data} (`);
  expect(again.out).toMatch(/never completed[\s\S]*this import of .* redoes it/);
  expect(again.out).toContain('Completed 1 earlier import run(s)');
  expect(await counts()).toEqual(clean);
  expect(await new IngestRepository(graph).incompleteImportRuns()).toEqual([]);
  const runs = await graph.read<{ id: string; redoneBy: string | null; done: boolean }>(
    'MATCH (r:ImportRun) RETURN r.id AS id, r.redoneBy AS redoneBy, r.completedAt IS NOT NULL AS done ORDER BY r.startedAt',
  );
  expect(runs).toHaveLength(2);
  expect(runs[0]).toMatchObject({ id: dead!.id, redoneBy: runs[1]!.id, done: false });
  expect(runs[1]).toMatchObject({ redoneBy: null, done: true });
}, 300_000);

test('Ctrl-C (SIGINT) stops an import between batches (exit 130); what start runs first redoes it', async () => {
  await resetGraph(graph);
  const stopped = await importUntil('SIGINT', 0.1 + 0.6 * Math.random());
  expect(stopped.code).toBe(130);
  expect(stopped.out).toMatch(/SIGINT: stopping after the batch in flight/);
  expect(stopped.out).toMatch(/import interrupted \(SIGINT\).*redoes it/);
  expect(total(await counts())).toBeLessThan(total(clean));
  // `start` (and `import` of another folder) call recoverImports before anything else.
  const log = memoryLog();
  const devNull = fs.createWriteStream('/dev/null') as unknown as NodeJS.WriteStream;
  const recovery = await recoverImports(graph, { batchSize: 2000, log, progressStream: devNull });
  expect(recovery.found).toHaveLength(1);
  expect(recovery.redone).toHaveLength(1);
  expect(log.lines[0]).toMatch(/^warning: an import of .* never completed$/);
  expect(await counts()).toEqual(clean);
  expect(await new IngestRepository(graph).incompleteImportRuns()).toEqual([]);
}, 300_000);

test('an incomplete run whose folder is gone is reported and left listed', async () => {
  const gone = path.join(work, 'gone');
  await graph.write(
    `CREATE (:ImportRun {id: 'gone-run', dir: $gone, files: ['user_interests.csv'], owner: 'h:1', startedAt: datetime()})`,
    { gone },
  );
  const log = memoryLog();
  const recovery = await recoverImports(graph, { batchSize: 2000, log });
  expect(recovery.failed).toEqual([{ dir: gone, reason: expect.stringContaining('expected a folder') as unknown }]);
  expect(log.lines.join('\n')).toMatch(/cannot redo the import of .*gone/);
  expect((await new IngestRepository(graph).incompleteImportRuns()).map((r) => r.id)).toEqual(['gone-run']);
  await graph.write(`MATCH (r:ImportRun {id: 'gone-run'}) DELETE r`);
});

test('an incomplete run whose process is still alive on this host is reported as running, not redone', async () => {
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    await graph.write(
      `CREATE (:ImportRun {id: 'live-run', dir: $data, files: ['user_interests.csv.gz'], owner: $owner, startedAt: datetime()})`,
      { data, owner: `${os.hostname()}:${sleeper.pid}` },
    );
    const log = memoryLog();
    const recovery = await recoverImports(graph, { batchSize: 2000, log });
    expect(recovery.found).toEqual([]);
    expect(recovery.redone).toEqual([]);
    expect(log.lines).toEqual([
      expect.stringMatching(/^warning: an import of .* is still running \(.*:\d+\): not redone$/),
    ]);
  } finally {
    sleeper.kill();
    await graph.write(`MATCH (r:ImportRun {id: 'live-run'}) DELETE r`);
  }
});

test('Ctrl-C during the first import of `start` stops it (exit 130) before anything is served; the run stays incomplete', async () => {
  await resetGraph(graph);
  const { child, exited } = cli(['start', '--data', data]);
  let sent = false;
  while (child.exitCode === null && child.signalCode === null) {
    const [row] = await graph.read<{ n: number }>('MATCH ()-[r]->() RETURN count(r) AS n');
    if ((row?.n ?? 0) >= total(clean) * 0.2) {
      child.kill('SIGINT');
      sent = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const res = await exited;
  expect(sent).toBe(true);
  expect(res.code).toBe(130);
  expect(res.out).toMatch(/import interrupted \(SIGINT\)/);
  expect(res.out).not.toMatch(/Ready in/);
  expect(total(await counts())).toBeLessThan(total(clean));
  expect(await new IngestRepository(graph).incompleteImportRuns()).toHaveLength(1);
}, 300_000);
