// The HTTP server: GraphQL (Apollo on express 5), the older clients' REST routes, probes, playground and web page.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Config } from '../config';
import { AppError, describe } from '../errors';
import { ApiRepository } from '../graph/api-repository';
import type { Graph } from '../graph/executor';
import { consoleLogger, type Logger } from '../log';
import { NeighbourCache, uncached, type CacheOptions } from './cache';
import { LiveNeighbours } from './live';
import { httpStatus, publicMessage, formatGraphQLError } from './errors';
import { createContext, type Context } from './graphql/context';
import { complexityPlugin, depthRule, unavailableStatusPlugin } from './graphql/limits';
import { resolvers } from './graphql/resolvers';
import { restRouter } from './rest/routes';

export interface ApiOptions {
  /** The built web page served at / (default <root>/web/dist); ignored while the folder does not exist. */
  webDir?: string;
  /** Close the graph's driver in stop() (default true). */
  closeGraph?: boolean;
  /** How long stop() lets in-flight requests finish before closing their connections (default 10 s). */
  drainMs?: number;
  /**
   * In-memory neighbour lists per active model version (default on); false reads Neo4j on every request.
   * Entries are served only while the active versions were confirmed within staleMs (3 s).
   */
  cache?: CacheOptions | false;
  /** Largest accepted request body (default 100kb). */
  bodyLimit?: string;
  log?: Logger;
}

export interface ApiServer {
  readonly app: express.Express;
  readonly httpServer: http.Server;
  readonly repo: ApiRepository;
  /** The neighbour cache, when on. */
  readonly cache: NeighbourCache | undefined;
  /** Base URL once listening, e.g. http://127.0.0.1:4000. */
  readonly url: string | undefined;
  /** Listens on the port (0 for any free one) and host, default from config; resolves with the base URL. */
  start(port?: number, host?: string): Promise<string>;
  /** Stops accepting, drains in-flight requests, then closes the driver. Idempotent. */
  stop(): Promise<void>;
}

const PLAYGROUND_FILE = path.join(__dirname, 'playground', 'index.html');

/** The GraphQL SDL: every schema/*.graphql file of the project, in name order. */
export function loadTypeDefs(root: string): string[] {
  const dir = path.join(root, 'schema');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

function indexPage(playground: boolean): string {
  const links = [
    '<li><code>POST /graphql</code> GraphQL' + (playground ? ' (<a href="/playground">playground</a>)' : '') + '</li>',
    '<li><code>POST /similar-users/</code> <code>{"user_handle": 110}</code></li>',
    '<li><code>GET /api/similarity/?user_handle=110</code></li>',
    '<li><a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a></li>',
  ];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>similar-users API</title></head><body><h1>similar-users API</h1><ul>${links.join('')}</ul><p>The web page appears here once web/dist is built.</p></body></html>`;
}

/** Builds the app (Apollo started, not yet listening) over a graph the caller opened. */
export async function createApp(config: Config, graph: Graph, options: ApiOptions = {}): Promise<ApiServer> {
  const log = options.log ?? consoleLogger;
  const development = config.env === 'development';
  const repo = new ApiRepository(graph);
  // Users the active version has no list for get one computed on demand (cosine-family models).
  const live = new LiveNeighbours(graph, repo, log);
  const cache = options.cache === false ? undefined : new NeighbourCache(repo, options.cache, log, live);
  if (cache !== undefined) await cache.start();
  const source = cache ?? uncached(repo, live);
  const app = express();
  const httpServer = http.createServer(app);
  const playgroundHtml = config.http.playground ? fs.readFileSync(PLAYGROUND_FILE, 'utf8') : undefined;

  const apollo = new ApolloServer<Context>({
    typeDefs: loadTypeDefs(config.root),
    resolvers: resolvers as NonNullable<ConstructorParameters<typeof ApolloServer<Context>>[0]['resolvers']>,
    introspection: config.http.introspection,
    // Our stop() owns the lifecycle: Apollo's own handler would re-raise SIGTERM before the driver is closed.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: development,
    validationRules: [depthRule()],
    formatError: (formatted, error) =>
      formatGraphQLError(formatted, error, development, (err) =>
        log.warn(`GraphQL internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
      ),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.drainMs ?? 10_000 }),
      ApolloServerPluginLandingPageDisabled(),
      complexityPlugin<Context>(),
      unavailableStatusPlugin<Context>(),
    ],
  });
  await apollo.start();

  app.disable('x-powered-by');
  app.use(express.json({ limit: options.bodyLimit ?? '100kb' }));

  if (playgroundHtml !== undefined) {
    const sendPlayground = (_req: Request, res: Response) => {
      res.type('html').send(playgroundHtml);
    };
    app.get('/playground', sendPlayground);
    // A browser opening /graphql gets the playground; API clients (Accept: application/json, */*) go on to Apollo.
    app.get('/graphql', (req, res, next) => {
      if (req.accepts(['application/json', 'text/html']) === 'text/html') sendPlayground(req, res);
      else next();
    });
  }
  app.use('/graphql', expressMiddleware(apollo, { context: () => Promise.resolve(createContext(repo, source)) }));
  app.use(restRouter(repo, source));
  app.use(express.static(options.webDir ?? path.join(config.root, 'web', 'dist')));
  app.get('/', (_req, res) => {
    res.type('html').send(indexPage(playgroundHtml !== undefined));
  });
  app.use((req, res) => {
    res.status(404).json({
      error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.path}: see / for the routes` },
    });
  });
  // Errors thrown by routes and by the body parser: mapped once to a status and a JSON error.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const parser = err as { type?: string; status?: number; message?: string; limit?: number; length?: number };
    let status: number;
    let code: string;
    let message: string;
    if (parser.type === 'entity.parse.failed') {
      [status, code] = [400, 'BAD_USER_INPUT'];
      message = `expected a JSON body, got malformed JSON (${parser.message ?? 'parse error'})`;
    } else if (parser.type === 'entity.too.large') {
      [status, code] = [413, 'BAD_USER_INPUT'];
      message = `expected a body of at most ${parser.limit ?? '?'} bytes, got ${parser.length ?? 'more'}`;
    } else if (parser.type === 'charset.unsupported' || parser.type === 'encoding.unsupported') {
      [status, code] = [415, 'BAD_USER_INPUT'];
      message = `expected a UTF-8 JSON body, got ${describe(req.headers['content-type'])}`;
    } else if (err instanceof AppError) {
      status = httpStatus(err.code);
      code = err.code === 'INTERNAL' || err.code === 'CONFIG' ? 'INTERNAL_SERVER_ERROR' : err.code;
      message = publicMessage(err, development);
      if (status === 500) log.warn(`${req.method} ${req.path}: ${err.stack ?? err.message}`);
    } else {
      [status, code] = [500, 'INTERNAL_SERVER_ERROR'];
      log.warn(`${req.method} ${req.path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      message = development && err instanceof Error ? err.message : 'Internal server error';
    }
    if (req.path.startsWith('/graphql')) {
      res.status(status).json({ errors: [{ message, extensions: { code } }] });
      return;
    }
    const details = err instanceof AppError && status < 500 ? err.details : undefined;
    res.status(status).json({ error: { code, message, ...(details !== undefined ? details : {}) } });
  });

  let url: string | undefined;
  let stopping: Promise<void> | undefined;
  return {
    app,
    httpServer,
    repo,
    cache,
    get url() {
      return url;
    },
    start(port = config.http.port, host = config.http.host) {
      return new Promise<string>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          const addr = httpServer.address() as AddressInfo;
          const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
          url = `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${addr.port}`;
          resolve(url);
        });
      });
    },
    stop() {
      stopping ??= (async () => {
        // Apollo's drain plugin closes the listener, waits for in-flight requests, then cuts idle connections.
        await apollo.stop();
        cache?.stop();
        if (httpServer.listening) await new Promise<void>((r) => httpServer.close(() => r()));
        if (options.closeGraph !== false) await graph.close();
      })();
      return stopping;
    },
  };
}

/** createApp + start: the server is listening when this resolves. */
export async function startServer(
  config: Config,
  graph: Graph,
  options: ApiOptions & { port?: number; host?: string } = {},
): Promise<ApiServer> {
  const server = await createApp(config, graph, options);
  await server.start(options.port, options.host);
  return server;
}
