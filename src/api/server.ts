// The HTTP server: GraphQL (Apollo on express 5), the older clients' REST routes, probes, GraphiQL and web page.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { makeExecutableSchema } from '@graphql-tools/schema';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger as PinoLogger } from 'pino';
import type { Config } from '../config';
import { AppError, badInput, describe } from '../errors';
import { AdminOperations } from './admin';
import { ApiRepository } from '../graph/api-repository';
import type { Graph } from '../graph/executor';
import { consoleLogger, type Logger } from '../log';
import { NeighbourCache, uncached, type CacheOptions, type NeighbourSource } from './cache';
import { answersLive, LiveNeighbours } from './live';
import { MODEL_NAMES, ModelName } from './models';
import type { VersionWeighting } from './weighting';
import { ERROR_KINDS, formatGraphQLError, publicMessage } from './errors';
import { graphiqlRouter } from './graphiql';
import { createMetrics, metricsAccess } from './metrics';
import { requestId, requestLog } from './request-log';
import { createContext, type Context } from './graphql/context';
import { OperationExecutor } from './graphql/executor';
import { graphqlFastPath, type FastPath } from './graphql/fast-path';
import { complexityPlugin, depthRule, MAX_TOKENS, statusFromErrorsPlugin } from './graphql/limits';
import { adminResolvers, resolvers } from './graphql/resolvers';
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
  /** One structured line per answered request (request id, status, duration); none when absent. */
  requestLog?: PinoLogger;
  /** Repeated queries answered without Apollo's request pipeline (graphql/fast-path.ts; default config.http.fastPath). */
  graphqlFastPath?: boolean;
}

export interface ApiServer {
  readonly app: express.Express;
  readonly httpServer: http.Server;
  readonly repo: ApiRepository;
  /** The neighbour cache, when on. */
  readonly cache: NeighbourCache | undefined;
  /** The GraphQL fast path's counts, when on. */
  readonly graphqlFastPath: FastPath<Context>['counts'] | undefined;
  /** Base URL once listening, e.g. http://127.0.0.1:4000. */
  readonly url: string | undefined;
  /** Listens on the port (0 for any free one) and host, default from config; resolves with the base URL. */
  start(port?: number, host?: string): Promise<string>;
  /** Stops accepting, drains in-flight requests, then closes the driver. Idempotent. */
  stop(): Promise<void>;
}

/** The operators' part of the SDL (the Mutation type), served only with ADMIN_TOKEN. */
const ADMIN_SDL = 'admin.graphql';

/**
 * The GraphQL SDL: every schema/*.graphql file of the project, in name order; the admin file only with
 * `admin` (off by default: without ADMIN_TOKEN the schema has no Mutation type at all).
 */
export function loadTypeDefs(root: string, opts: { admin?: boolean } = {}): string[] {
  const dir = path.join(root, 'schema');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.graphql') && (opts.admin === true || f !== ADMIN_SDL))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

function indexPage(playground: boolean): string {
  const links = [
    '<li><code>POST /graphql</code> GraphQL' + (playground ? ' (<a href="/graphql">GraphiQL</a>)' : '') + '</li>',
    '<li><code>POST /similar-users/</code> <code>{"user_handle": 110}</code></li>',
    '<li><code>GET /api/similarity/?user_handle=110</code></li>',
    '<li><a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a></li>',
  ];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>similar-users API</title></head><body><h1>similar-users API</h1><ul>${links.join('')}</ul><p>The web page appears here once web/dist is built.</p></body></html>`;
}

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
  message?: string;
  limit?: number;
  length?: number;
  received?: number;
  encoding?: string;
}

/** What the body parser (body-parser 2) refused, by its error type; undefined when it is not the parser's. */
function bodyError(err: unknown, req: Request): AppError | undefined {
  const e = (typeof err === 'object' && err !== null ? err : {}) as BodyParserError;
  const encoding = req.headers['content-encoding'] ?? 'identity';
  switch (e.type) {
    case 'entity.parse.failed':
      return badInput(`expected a JSON body, got malformed JSON (${e.message ?? 'parse error'})`);
    case 'entity.too.large':
      return new AppError(
        'PAYLOAD_TOO_LARGE',
        `expected a body of at most ${e.limit ?? '?'} bytes, got ${e.length ?? 'more'}`,
      );
    case 'charset.unsupported':
      return new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        `expected a UTF-8 JSON body, got ${describe(req.headers['content-type'])}`,
      );
    case 'encoding.unsupported':
      return new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        `expected Content-Encoding identity, gzip, deflate or br, got ${describe(encoding)}`,
      );
    case 'request.aborted':
      return badInput('expected a complete request body, got a connection closed before its end');
    case 'request.size.invalid':
      return badInput(
        `expected ${e.length ?? '?'} bytes as Content-Length said, got ${e.received ?? 'a different number'}`,
      );
    case undefined:
    default:
      break;
  }
  // A decompression failure: body-parser passes zlib's error on as a 400 without a type.
  if (e.expose === true && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return encoding !== 'identity'
      ? badInput(`expected a body compressed with ${describe(encoding)}, got bytes that do not decompress`)
      : badInput('expected a readable request body, got one that could not be read');
  }
  return undefined;
}

/** How long startup waits for the live answers' indexes; past it they finish in the background. */
const LIVE_WARM_WAIT_MS = 20_000;

/** Builds the live indexes of the active versions, waiting a bounded time; a failure is logged, not fatal. */
async function warmLive(
  live: LiveNeighbours,
  source: NeighbourSource,
  repo: ApiRepository,
  log: Logger,
): Promise<void> {
  const warm = (async () => {
    const pairs: Array<[Exclude<ModelName, ModelName.ALS>, VersionWeighting]> = [];
    for (const model of MODEL_NAMES) {
      if (!answersLive(model)) continue;
      const w = await source.weighting(model);
      if (w !== null) pairs.push([model, w]);
    }
    const als = (await repo.models()).find((m) => m.name === String(ModelName.ALS))?.version ?? null;
    await live.warm(pairs, als);
  })().catch((err: unknown) => {
    live.warmState = 'failed'; // (live answers then build their index on first use)
    // Stopped before the indexes were built (a SIGTERM during startup's warm-up): nothing went wrong.
    if (!live.closed) log.warn(`live answers: indexes not built at startup (${(err as Error).message})`);
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([warm, new Promise<void>((r) => (timer = setTimeout(r, LIVE_WARM_WAIT_MS)))]);
  clearTimeout(timer);
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
  await warmLive(live, source, repo, log);
  // Operators' mutations only with a token; a forget empties this server's cache at once (others: within 1 s).
  const adminToken = config.admin.token;
  const admin = adminToken === undefined ? undefined : new AdminOperations(graph, adminToken, () => cache?.clear());
  const metrics = createMetrics({ repo, cache });
  graph.observe(metrics.query);
  const limits = config.limits;
  const app = express();
  // Slow clients: headers and the whole request must arrive in time (408 otherwise), checked every second.
  const httpServer = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.bodyTimeoutMs,
      connectionsCheckingInterval: 1_000,
    },
    app,
  );

  const schema = makeExecutableSchema<Context>({
    typeDefs: loadTypeDefs(config.root, { admin: admin !== undefined }),
    resolvers: (admin !== undefined ? adminResolvers : resolvers) as NonNullable<
      Parameters<typeof makeExecutableSchema<Context>>[0]['resolvers']
    >,
  });
  const executor = new OperationExecutor(schema);
  const newContext = (req: Request, res: Response): Context => {
    const context = createContext(
      repo,
      source,
      admin !== undefined ? { operations: admin, authorization: req.headers.authorization } : undefined,
    );
    metrics.bind(context, res);
    return context;
  };
  const fast =
    (options.graphqlFastPath ?? config.http.fastPath) === false
      ? undefined
      : graphqlFastPath<Context>({
          schema,
          executor,
          context: newContext,
          nameOperation: (res, name) => metrics.nameOperation(res, name),
        });
  const apollo = new ApolloServer<Context>({
    // The schema, executed by graphql-jit once an operation repeats (graphql/executor.ts).
    gateway: executor.gateway(),
    introspection: config.http.introspection,
    // Our stop() owns the lifecycle: Apollo's own handler would re-raise SIGTERM before the driver is closed.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: development,
    // "Did you mean ...?" hints describe the schema: development only.
    hideSchemaDetailsFromClientErrors: !development,
    parseOptions: { maxTokens: MAX_TOKENS },
    // Automatic persisted queries serve no client of this API; off, they are one less cache to fill.
    persistedQueries: false,
    validationRules: [depthRule()],
    formatError: (formatted, error) =>
      formatGraphQLError(formatted, error, development, (err) =>
        log.warn(`GraphQL internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
      ),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.drainMs ?? 10_000 }),
      ApolloServerPluginLandingPageDisabled(),
      // The schema sets no cache hints: the default cache-control plugin would only wrap every field's resolver.
      ApolloServerPluginCacheControlDisabled(),
      // Federation traces are for subgraphs; this schema is none, so the default plugin would only be a no-op per request.
      ApolloServerPluginInlineTraceDisabled(),
      complexityPlugin<Context>(),
      statusFromErrorsPlugin<Context>(),
      metrics.plugin<Context>(),
      // Last: it records the query texts that got past the others' checks.
      ...(fast !== undefined ? [fast.plugin] : []),
    ],
  });
  await apollo.start();

  app.disable('x-powered-by');
  app.use(requestLog(options.requestLog));
  app.use(metrics.middleware);
  app.use(express.json({ limit: options.bodyLimit ?? '100kb' }));
  // The request deadline counts from the arrival of the body: a request still unanswered then gets 503 with
  // Retry-After (Neo4j stalled or saturated); its work finishes in the background and its late answer is dropped.
  app.use((req, res, next) => {
    const timer = setTimeout(() => {
      if (!res.headersSent) {
        sendError(
          req,
          res,
          new AppError('TIMEOUT', `expected an answer within ${limits.requestTimeoutMs} ms, got none in time`),
        );
      }
    }, limits.requestTimeoutMs);
    res.once('close', () => clearTimeout(timer));
    next();
  });

  // GraphiQL for browsers at GET /graphql (and /playground, redirected), when the playground is on.
  if (config.http.playground) app.use(graphiqlRouter());
  // Repeated queries Apollo accepted before are answered here; everything else, and their errors, by Apollo.
  if (fast !== undefined) app.post('/graphql', fast.handler);
  app.use(
    '/graphql',
    expressMiddleware(apollo, {
      context: ({ req, res }) => Promise.resolve(fast?.handedOver(res) ?? newContext(req, res)),
    }),
  );
  // Prometheus text format; see metricsAccess for who may read it.
  app.get('/metrics', async (req, res) => {
    const access = metricsAccess(config.metrics.token, config.env === 'production', req.headers.authorization);
    switch (access) {
      case 200:
        res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
        return;
      case 401:
        res.set('WWW-Authenticate', 'Bearer realm="metrics"');
        res.status(401).json({
          error: { code: 'UNAUTHENTICATED', message: 'expected Authorization: Bearer <METRICS_TOKEN>, got none' },
        });
        return;
      case 403:
        res
          .status(403)
          .json({ error: { code: 'FORBIDDEN', message: 'expected the METRICS_TOKEN bearer token, got another' } });
        return;
      case 404:
        res.status(404).json({
          error: {
            code: 'NOT_FOUND',
            message: 'no route GET /metrics: set METRICS_TOKEN to serve metrics in production',
          },
        });
        return;
    }
  });
  app.use(restRouter(repo, source, () => live.warmState));
  app.use(express.static(options.webDir ?? path.join(config.root, 'web', 'dist')));
  app.get('/', (_req, res) => {
    res.type('html').send(indexPage(config.http.playground));
  });
  app.use((req, res) => {
    metrics.error('NOT_FOUND', 'rest');
    res.status(404).json({
      error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.path}: see / for the routes` },
    });
  });
  /** Answers an AppError through the kinds table: status, code, public message, Retry-After. */
  const sendError = (req: Request, res: Response, err: AppError) => {
    const kind = ERROR_KINDS[err.code];
    metrics.error(kind.graphql, req.originalUrl.startsWith('/graphql') ? 'graphql' : 'rest');
    const message = publicMessage(err, development);
    if (kind.status >= 500 && kind.graphql === 'INTERNAL_SERVER_ERROR') {
      const origin = err.cause instanceof Error ? err.cause : err;
      log.warn(
        `${req.method} ${req.originalUrl} (request ${requestId(res) ?? '?'}): ${origin.stack ?? origin.message}`,
      );
    }
    if (kind.retryAfter !== undefined) res.set('Retry-After', String(kind.retryAfter));
    // originalUrl: inside a mounted handler (Apollo's) req.path no longer starts with /graphql.
    if (req.originalUrl.startsWith('/graphql')) {
      res.status(kind.status).json({ errors: [{ message, extensions: { code: kind.graphql } }] });
      return;
    }
    const details = kind.status < 500 ? err.details : undefined;
    res.status(kind.status).json({ error: { code: kind.graphql, message, ...(details !== undefined ? details : {}) } });
  };

  // Errors thrown by routes and by the body parser: mapped once to a kind, answered through the table.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      // Answered already (the request deadline passed): the late outcome is dropped.
      if (!res.writableEnded) res.end();
      return;
    }
    // Anything else is ours: INTERNAL, logged (with its stack) by sendError, masked for the client.
    const appErr =
      err instanceof AppError
        ? err
        : (bodyError(err, req) ??
          new AppError('INTERNAL', err instanceof Error ? err.message : String(err), undefined, { cause: err }));
    sendError(req, res, appErr);
  });

  let url: string | undefined;
  let stopping: Promise<void> | undefined;
  return {
    app,
    httpServer,
    repo,
    cache,
    graphqlFastPath: fast?.counts,
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
        // A warm-up still reading (startup waits 20 s for it, then lets it finish in the background) ends now.
        live.close();
        graph.observe(undefined);
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
