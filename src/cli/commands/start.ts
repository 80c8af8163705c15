// start: the one-command demo. Neo4j (local unless NEO4J_URI), the sample data when the graph is empty, every model
// without an active version, the page, and the API; Ctrl-C stops what this command started.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, PROJECT_ROOT } from '../../config';
import { AppError } from '../../errors';
import { jobLease, localServer, openGraph } from '../../graph/connect';
import { IngestRepository } from '../../graph/ingest-repository';
import { LeaseHeldError } from '../../graph/lease';
import { SimilarityRepository } from '../../graph/similarity-repository';
import { Importer } from '../../ingest/importer';
import { recoverImports } from '../../ingest/recovery';
import { checkHeaders, findTables } from '../../ingest/reader';
import { defaultRejectsPath } from '../../ingest/rejects';
import { defaultParams, MODEL_NAMES, type ModelName } from '../../jobs/models';
import { runSimilarityJob } from '../../jobs/similarity-job';
import { consoleLogger } from '../../log';
import type { Command } from '../command';
import { parse } from '../command';
import { serveApi } from '../serve-api';
import { DEFAULT_BATCH_SIZE } from './import';

const WEB_DIR = path.join(PROJECT_ROOT, 'web');

function say(step: string, text: string): void {
  process.stderr.write(`[${step}] ${text}\n`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the page with Vite when web/dist is missing or older than its sources. */
function ensurePage(): void {
  const built = path.join(WEB_DIR, 'dist', 'index.html');
  const sources = Math.max(
    newestMtime(path.join(WEB_DIR, 'src')),
    fs.existsSync(path.join(WEB_DIR, 'index.html')) ? fs.statSync(path.join(WEB_DIR, 'index.html')).mtimeMs : 0,
  );
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= sources) {
    say('page', 'built page is up to date');
    return;
  }
  say('page', 'building the page with Vite...');
  const res = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '-s', 'build:web'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  if (res.status !== 0) {
    throw new AppError(
      'INTERNAL',
      `Building the page failed:\n${`${res.stdout}${res.stderr}`.trim().split('\n').slice(-10).join('\n')}`,
    );
  }
}

export const start: Command = {
  name: 'start',
  summary:
    'The demo in one command: Neo4j, the sample data if the graph is empty, missing models, the page and the API',
  usage: 'similar-users start [--data DIR]',
  async run(argv) {
    // Signal handlers first: Ctrl-C during the import stops between batches (the run stays recorded as
    // incomplete, and the next start redoes it); once the API is up, serveApi's own handlers drain and stop.
    const stopping = new AbortController();
    let hardStop: (() => void) | undefined;
    const onSignal = (sig: NodeJS.Signals) => {
      if (stopping.signal.aborted) process.exit(130);
      stopping.abort(sig);
      hardStop?.();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const prepared = await prepare(this, argv, stopping.signal, (fn) => (hardStop = fn)).finally(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
    if (prepared === undefined) return 130;
    const { config, server, wasRunning, elapsed } = prepared;
    await serveApi(config, {
      port: config.http.port,
      host: config.http.host,
      cache: true,
      banner: (url) => [
        '',
        `Ready in ${elapsed()}.`,
        `  Page:        ${url}/`,
        `  GraphQL:     ${url}/graphql${config.http.playground ? ` (GraphiQL in a browser)` : ''}`,
        `  REST:        curl -s -X POST ${url}/similar-users/ -H 'Content-Type: application/json' -d '{"user_handle": 1}'`,
        `  Health:      ${url}/healthz, ${url}/readyz`,
        server !== undefined
          ? `  Neo4j:       ${server.boltUri}, Browser ${server.browserUrl}`
          : `  Neo4j:       ${config.neo4j.uri}`,
        'Press Ctrl-C to stop.',
        '',
      ],
      afterStop: async () => {
        if (!wasRunning && server !== undefined) {
          say('stop', 'stopping the Neo4j this command started...');
          await server.stop();
        }
        say('stop', 'stopped');
      },
    });
    return 0;
  },
};

/**
 * Everything before serving: Neo4j, imports (an incomplete one redone first), missing models, the page.
 * Returns undefined when a signal stopped it (the Neo4j this command started is stopped again).
 */
async function prepare(cmd: Command, argv: string[], signal: AbortSignal, onHardStop: (fn?: () => void) => void) {
  const { values } = parse(cmd, argv, { data: { type: 'string' } });
  const dataDir = path.resolve(values.data ?? path.join(PROJECT_ROOT, 'data'));
  // The local demo: GraphiQL and introspection on unless set (the API listens on 127.0.0.1 unless HOST says otherwise).
  const config = loadConfig(undefined, undefined, { demo: true });
  const server = localServer(config);
  const wasRunning = server === undefined || server.runningPid() !== undefined;
  const t0 = performance.now();
  const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

  say(
    'neo4j',
    server === undefined
      ? `using ${config.neo4j.uri} (NEO4J_URI)`
      : wasRunning
        ? 'reusing the running local Neo4j'
        : 'starting the local Neo4j...',
  );
  // The batch job's driver imports and computes; the API then gets its own request-profile driver (serveApi).
  const graph = await openGraph(config, { start: true, schema: true });
  try {
    say('neo4j', `ready (${elapsed()})`);

    const log = { info: (m: string) => say('data', m), warn: (m: string) => say('data', `warning: ${m}`) };
    // An import that died (Ctrl-C, a kill, a crash) is redone before anything is served from a partial graph.
    const recovery = await recoverImports(graph, { batchSize: DEFAULT_BATCH_SIZE, log, signal });
    const users = (await new IngestRepository(graph).counts()).users;
    if (users === 0) {
      say('data', `the graph is empty: importing ${path.relative(process.cwd(), dataDir) || dataDir}`);
      const files = findTables(dataDir);
      await checkHeaders(files);
      const report = await new Importer(graph, {
        batchSize: DEFAULT_BATCH_SIZE,
        rejectsPath: defaultRejectsPath(dataDir),
        signal,
      }).run(files);
      const rows = report.files.reduce((n, f) => n + f.read, 0);
      say(
        'data',
        `imported ${rows.toLocaleString('en-US')} rows in ${report.seconds.toFixed(1)} s (${report.rejects} rejected)`,
      );
    } else if (recovery.redone.length === 0) {
      say('data', `the graph holds ${users.toLocaleString('en-US')} users: nothing to import`);
    }

    const repo = new SimilarityRepository(graph);
    const missing: ModelName[] = [];
    for (const m of MODEL_NAMES) {
      const node = await repo.model(m);
      if (node === null || node.version === null) missing.push(m);
    }
    if (signal.aborted) throw new AppError('UNAVAILABLE', 'stopped before computing the models');
    if (missing.length > 0) {
      say('models', `computing ${missing.join(', ')}...`);
      // The job cannot stop mid-way: a signal now exits at once; its lease expires and the next run cleans up.
      onHardStop(() => {
        say('stop', 'stopped while computing the models (the next start computes them)');
        process.exit(130);
      });
      try {
        await runSimilarityJob(repo, {
          models: missing,
          params: defaultParams(),
          log: consoleLogger,
          lease: jobLease(config),
        });
        say('models', `done (${elapsed()})`);
      } catch (err) {
        // Another run is computing them: serve what is active; its versions switch in when it finishes.
        if (!(err instanceof LeaseHeldError)) throw err;
        say('models', `not computed here: ${err.message}`);
      } finally {
        onHardStop(undefined);
      }
    } else {
      say('models', 'every model has an active version');
    }

    if (signal.aborted) throw new AppError('UNAVAILABLE', 'stopped before serving');
    ensurePage();
  } catch (err) {
    if (!signal.aborted) throw err;
    say('stop', err instanceof Error ? err.message : String(err));
    if (!wasRunning && server !== undefined) {
      say('stop', 'stopping the Neo4j this command started...');
      await server.stop();
    }
    return undefined;
  } finally {
    await graph.close();
  }
  return { config, server, wasRunning, elapsed };
}

export const commands: Command[] = [start];
