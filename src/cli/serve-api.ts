// The one way the CLI serves the API (`serve` and `start` alike): the request-profile driver, the server, its
// URLs, and SIGTERM/SIGINT draining requests before the driver closes.
import { startServer, type ApiServer } from '../api/server';
import type { Config } from '../config';
import { openApiGraph } from '../graph/connect';
import { pinoLogger, structuredLog } from '../log';

export interface ServeOptions {
  port: number;
  host: string;
  cache: boolean;
  /** Lines printed once listening, given the base URL. */
  banner: (url: string, server: ApiServer) => string[];
  /** Runs after the API stopped (e.g. stop the Neo4j the command started). */
  afterStop?: () => Promise<void>;
}

/** Serves until SIGTERM or SIGINT; resolves once everything is stopped. */
export async function serveApi(config: Config, opts: ServeOptions): Promise<void> {
  const graph = openApiGraph(config);
  try {
    await graph.ping();
  } catch (err) {
    // Serve anyway: /readyz says why, and the driver connects once Neo4j answers.
    process.stderr.write(
      `warning: Neo4j at ${config.neo4j.uri} does not answer yet (${(err as Error).message}); start it with npm run db:start\n`,
    );
  }
  // JSON lines, or readable ones when stderr is a terminal and pino-pretty (a dev dependency) is installed.
  const logs = structuredLog({ pretty: process.stderr.isTTY === true });
  let server: ApiServer;
  try {
    server = await startServer(config, graph, {
      port: opts.port,
      host: opts.host,
      log: pinoLogger(logs),
      requestLog: logs,
      ...(opts.cache ? {} : { cache: false }),
    });
  } catch (err) {
    await graph.close();
    throw err;
  }
  const url = server.url ?? `http://${opts.host}:${opts.port}`;
  process.stdout.write(`${opts.banner(url, server).join('\n')}\n`);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
      process.stderr.write(`${signal}: no new requests; draining in-flight ones, then closing Neo4j connections...\n`);
      void (async () => {
        try {
          await server.stop();
          await opts.afterStop?.();
        } catch (err) {
          process.stderr.write(`stop failed: ${(err as Error).message}\n`);
        }
        resolve();
      })();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}
