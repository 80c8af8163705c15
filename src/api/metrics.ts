// Prometheus metrics (prom-client) of one API server: requests by route and GraphQL operation, errors by code,
// Neo4j query latency (through the executor's observer), the neighbour cache, the active model versions and the
// process's default metrics; /metrics answers them behind METRICS_TOKEN.
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ApiRepository } from '../graph/api-repository';
import type { QueryObservation } from '../graph/executor';
import { bearerAccess } from './bearer';
import type { NeighbourCache } from './cache';

/** The routes named in labels; anything else is counted as "other", so clients cannot grow the label set. */
const ROUTES = [
  '/',
  '/graphql',
  '/similar-users',
  '/api/similarity',
  '/healthz',
  '/readyz',
  '/metrics',
  '/openapi.json',
  '/playground',
];
/** Distinct GraphQL operation names kept as labels; later ones are counted as "other". */
const MAX_OPERATIONS = 100;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const RESPONSE = Symbol('metrics.response');

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function routeLabel(path: string): string {
  const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (ROUTES.includes(p)) return p;
  if (p.startsWith('/graphiql/')) return '/graphiql/*';
  return 'other';
}

export interface ApiMetrics {
  readonly registry: Registry;
  /** First middleware: times every request and counts it when its answer is sent. */
  readonly middleware: (req: Request, res: Response, next: NextFunction) => void;
  /** Apollo plugin: names the request's GraphQL operation and counts the response's errors by code. */
  plugin<C extends object>(): ApolloServerPlugin<C>;
  /** Labels a GraphQL request by its resolved operation name (as the plugin does; the fast path calls it itself). */
  nameOperation(res: Response, operationName: string | null | undefined): void;
  /** Binds a GraphQL context to its HTTP response, so the plugin can label the request. */
  bind(context: object, res: Response): void;
  /** An error answered outside GraphQL (REST, probes, body parser), by its public code. */
  error(code: string, surface: 'rest' | 'graphql'): void;
  /** The executor's observer: one Neo4j query's outcome and duration. */
  readonly query: (observation: QueryObservation) => void;
}

export interface MetricsSources {
  repo: ApiRepository;
  cache: NeighbourCache | undefined;
}

export function createMetrics(sources: MetricsSources): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'operation', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route, GraphQL operation name and status',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from a request arriving to its answer being sent, by method, route, GraphQL operation and status',
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'api_errors_total',
    help: 'Errors answered to clients, by code (BAD_USER_INPUT, NOT_FOUND, UNAVAILABLE, ...) and surface',
    labelNames: ['code', 'surface'] as const,
    registers: [registry],
  });
  const queries = new Histogram({
    name: 'neo4j_query_duration_seconds',
    help: 'Neo4j units of work (a transaction or an auto-commit statement), by access mode and outcome',
    labelNames: ['mode', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const counted = { hits: 0, misses: 0 };
  const cacheLookups = new Counter({
    name: 'neighbour_cache_lookups_total',
    help: 'Neighbour-list lookups of the in-memory cache, by result (hit or miss)',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      const cache = sources.cache;
      if (cache === undefined) return;
      this.inc({ result: 'hit' }, cache.hits - counted.hits);
      this.inc({ result: 'miss' }, cache.misses - counted.misses);
      counted.hits = cache.hits;
      counted.misses = cache.misses;
    },
  });
  cacheLookups.inc({ result: 'hit' }, 0);
  cacheLookups.inc({ result: 'miss' }, 0);
  // The registry collects every metric at once: the three model gauges share one read of the models per scrape.
  let reading: Promise<void> | undefined;
  const readModels = (): Promise<void> =>
    (reading ??= (async () => {
      try {
        const now = Date.now();
        const models = await sources.repo.models();
        modelVersion.reset();
        modelAge.reset();
        for (const m of models) {
          if (m.version === null) continue;
          modelVersion.set({ model: m.name }, m.version);
          const trained = m.trainedAt === null ? NaN : Date.parse(m.trainedAt);
          if (Number.isFinite(trained)) modelAge.set({ model: m.name }, Math.max(0, (now - trained) / 1000));
        }
        modelsRead.set(1);
      } catch {
        modelVersion.reset();
        modelAge.reset();
        modelsRead.set(0);
      } finally {
        reading = undefined;
      }
    })());
  const modelVersion = new Gauge({
    name: 'similarity_model_active_version',
    help: 'The active (served) version of each similarity model; absent while a model has none',
    labelNames: ['model'] as const,
    registers: [registry],
    collect: readModels,
  });
  const modelAge = new Gauge({
    name: 'similarity_model_age_seconds',
    help: 'Seconds since the active version of each model was trained',
    labelNames: ['model'] as const,
    registers: [registry],
    collect: readModels,
  });
  const modelsRead = new Gauge({
    name: 'similarity_models_read_ok',
    help: '1 when the last scrape read the models from Neo4j, 0 when it could not',
    registers: [registry],
    collect: readModels,
  });

  const operations = new Set<string>();
  const operationLabel = (name: string | null | undefined): string => {
    if (name === null || name === undefined || name === '') return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (!operations.has(name)) {
      if (operations.size >= MAX_OPERATIONS) return 'other';
      operations.add(name);
    }
    return name;
  };

  return {
    registry,
    middleware: (req, res, next) => {
      const started = process.hrtime.bigint();
      // Named now: inside a mounted handler (Apollo's) req.path loses its mount point.
      const route = routeLabel(req.path);
      res.once('finish', () => {
        const op = route === '/graphql' ? ((res.locals.operation as string | undefined) ?? 'none') : '';
        const labels = { method: req.method, route, operation: op, status: String(res.statusCode) };
        requests.inc(labels);
        duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      });
      next();
    },
    plugin<C extends object>(): ApolloServerPlugin<C> {
      // One listener serves every request: its hooks keep no per-request state.
      const listener: GraphQLRequestListener<C> = {
        didResolveOperation({ contextValue, operationName }) {
          const res = (contextValue as Record<symbol, Response | undefined>)[RESPONSE];
          if (res !== undefined) res.locals.operation = operationLabel(operationName);
          return Promise.resolve();
        },
        willSendResponse({ response }) {
          if (response.body.kind === 'single') {
            for (const e of response.body.singleResult.errors ?? []) {
              const code = e.extensions?.code;
              errors.inc({ code: typeof code === 'string' ? code : 'UNKNOWN', surface: 'graphql' });
            }
          }
          return Promise.resolve();
        },
      };
      return { requestDidStart: () => Promise.resolve(listener) };
    },
    nameOperation(res, operationName) {
      res.locals.operation = operationLabel(operationName);
    },
    bind(context, res) {
      // A property, not a WeakMap entry: Apollo executes on a shallow copy of the context object.
      Object.defineProperty(context, RESPONSE, { value: res, enumerable: true });
    },
    error(code, surface) {
      errors.inc({ code, surface });
    },
    query: (o) => {
      queries.observe({ mode: o.mode, outcome: o.outcome }, o.ms / 1000);
    },
  };
}

/** Who may read /metrics: with a token, only its bearer; without one, nobody in production, anyone otherwise. */
export function metricsAccess(
  token: string | undefined,
  production: boolean,
  authorization: string | undefined,
): 200 | 401 | 403 | 404 {
  if (token === undefined) return production ? 404 : 200;
  return bearerAccess(token, authorization);
}
