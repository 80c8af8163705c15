// start: the one-command demo, composed of what the other commands run: Neo4j as `db:start` starts it, the sample
// data imported as `import` does when the graph is empty, every model without an active version computed by the
// job `similarity` runs, the page, and the API as `serve` serves it; Ctrl-C stops what this command started.
import path from 'node:path';
import { loadConfig, PROJECT_ROOT } from '../../config';
import { AppError } from '../../errors';
import { jobLease, localServer, openGraph } from '../../graph/connect';
import { importIfEmpty } from '../../ingest/prepare';
import { LeaseHeldError, modelsWithoutVersion, SimilarityJob } from '../../jobs/jobs';
import { defaultParams, MODEL_NAMES } from '../../jobs/models';
import { consoleLogger } from '../../log';
import type { Command } from '../command';
import { parse } from '../command';
import { ensurePage } from '../page';
import { serveApi } from '../serve-api';
import { DEFAULT_BATCH_SIZE } from './import';

function say(step: string, text: string): void {
  process.stderr.write(`[${step}] ${text}\n`);
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
    await importIfEmpty(graph, { dir: dataDir, batchSize: DEFAULT_BATCH_SIZE, log, signal });

    const missing = await modelsWithoutVersion(graph, MODEL_NAMES);
    if (signal.aborted) throw new AppError('UNAVAILABLE', 'stopped before computing the models');
    if (missing.length > 0) {
      say('models', `computing ${missing.join(', ')}...`);
      // The job cannot stop mid-way: a signal now exits at once; its lease expires and the next run cleans up.
      onHardStop(() => {
        say('stop', 'stopped while computing the models (the next start computes them)');
        process.exit(130);
      });
      try {
        await new SimilarityJob(graph, {
          models: missing,
          params: defaultParams(),
          log: consoleLogger,
          lease: jobLease(config),
        }).run();
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
    ensurePage((m) => say('page', m));
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
