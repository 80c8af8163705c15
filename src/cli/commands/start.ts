// start: the one-command demo. Neo4j (local unless NEO4J_URI), the sample data when the graph is empty, every model
// without an active version, the page, and the API; Ctrl-C stops what this command started.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, PROJECT_ROOT } from '../../config';
import { AppError } from '../../errors';
import { localServer, openGraph } from '../../graph/connect';
import { IngestRepository } from '../../graph/ingest-repository';
import { SimilarityRepository } from '../../graph/similarity-repository';
import { Importer } from '../../ingest/importer';
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
    const { values } = parse(this, argv, { data: { type: 'string' } });
    const dataDir = path.resolve(values.data ?? path.join(PROJECT_ROOT, 'data'));
    const config = loadConfig();
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

      const counts = await new IngestRepository(graph).counts();
      const users = counts.users;
      if (users === 0) {
        say('data', `the graph is empty: importing ${path.relative(process.cwd(), dataDir) || dataDir}`);
        const files = findTables(dataDir);
        await checkHeaders(files);
        const report = await new Importer(graph, {
          batchSize: DEFAULT_BATCH_SIZE,
          rejectsPath: defaultRejectsPath(dataDir),
        }).run(files);
        const rows = report.files.reduce((n, f) => n + f.read, 0);
        say(
          'data',
          `imported ${rows.toLocaleString('en-US')} rows in ${report.seconds.toFixed(1)} s (${report.rejects} rejected)`,
        );
      } else {
        say('data', `the graph holds ${users.toLocaleString('en-US')} users: nothing to import`);
      }

      const repo = new SimilarityRepository(graph);
      const missing: ModelName[] = [];
      for (const m of MODEL_NAMES) {
        const node = await repo.model(m);
        if (node === null || node.version === null) missing.push(m);
      }
      if (missing.length > 0) {
        say('models', `computing ${missing.join(', ')}...`);
        await runSimilarityJob(repo, { models: missing, params: defaultParams(), log: consoleLogger });
        say('models', `done (${elapsed()})`);
      } else {
        say('models', 'every model has an active version');
      }

      ensurePage();
    } finally {
      await graph.close();
    }
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

export const commands: Command[] = [start];
