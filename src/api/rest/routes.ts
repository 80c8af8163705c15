// The older clients' REST routes (exact shapes), the health probes and their OpenAPI description.
import express, { type Request, type Response } from 'express';
import { AppError, badInput, describe, notFound } from '../../errors';
import type { ApiRepository, NeighbourList } from '../../graph/api-repository';
import type { NeighbourSource } from '../cache';
import type { LiveWarmState } from '../live';
import { ERROR_KINDS } from '../errors';
import { OPENAPI_DOCUMENT } from './openapi';
import {
  DEFAULT_LIMIT,
  isModelName,
  MAX_LIMIT,
  MODEL_NAMES,
  parseHandle,
  parseLimit,
  parseModel,
  type ModelName,
} from '../models';

/** The JSON body, or {} when there is none; a body in another content type is refused. */
function jsonBody(req: Request): Record<string, unknown> {
  const length = Number(req.headers['content-length'] ?? 0);
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if ((length > 0 || chunked) && !req.is('application/json')) {
    throw badInput(`expected Content-Type application/json, got ${describe(req.headers['content-type'] ?? 'none')}`);
  }
  const body: unknown = req.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw badInput(`expected a JSON object such as {"user_handle": 110}, got ${describe(body)}`);
  }
  return body as Record<string, unknown>;
}

async function lookup(
  source: NeighbourSource,
  rawHandle: unknown,
  rawModel: unknown,
  rawLimit: unknown,
): Promise<{ model: ModelName; list: NeighbourList }> {
  if (rawHandle === undefined)
    throw badInput('user_handle: expected a user handle (number or numeric string), got nothing');
  const handle = parseHandle(rawHandle, 'user_handle');
  const model = parseModel(rawModel) ?? (await source.defaultModel());
  const limit = parseLimit(rawLimit, 'limit', DEFAULT_LIMIT, MAX_LIMIT);
  const [list] = await source.get([handle], model, limit);
  if (list === undefined || !list.found) throw notFound(`no user with handle ${handle}`, { user_handle: rawHandle });
  return { model, list };
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * The REST routes and probes. `liveState` tells /readyz how the live answers' startup warm-up stands (informative:
 * stored lists are served while it runs, so it does not hold readiness back).
 */
export function restRouter(
  repo: ApiRepository,
  source: NeighbourSource,
  liveState: () => LiveWarmState,
): express.Router {
  const router = express.Router();

  // {"user_handle": 999} -> {"request_data": 999, "data": {"model_handle": "als", "similar_users": [67, ...]}}
  // model_handle names the model served: the one asked for, else the default model.
  router.post('/similar-users', async (req: Request, res: Response) => {
    const body = jsonBody(req);
    const { model, list } = await lookup(source, body.user_handle, body.model, body.limit);
    res.json({
      request_data: body.user_handle,
      data: { model_handle: model, similar_users: list.neighbours.map((n) => n.handle) },
    });
  });

  // {"user_handle": "110"} (JSON body, query string, GET or POST) -> [{"similar": "5537", "score": 0.8957}, ...]
  const similarity = async (req: Request, res: Response) => {
    const body = jsonBody(req);
    const q = req.query as Record<string, unknown>;
    const pick = (k: string) => body[k] ?? q[k];
    const { list } = await lookup(source, pick('user_handle'), pick('model'), pick('limit'));
    res.json(list.neighbours.map((n) => ({ similar: String(n.handle), score: round4(n.score) })));
  };
  router.get('/api/similarity', similarity);
  router.post('/api/similarity', similarity);

  // The description of these routes (OpenAPI 3.1).
  router.get('/openapi.json', (_req, res) => {
    res.json(OPENAPI_DOCUMENT);
  });

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });

  router.get('/readyz', async (_req, res) => {
    try {
      const models = await repo.models();
      const active = Object.fromEntries(
        models.filter((m) => m.version !== null && isModelName(m.name)).map((m) => [m.name, m.version]),
      );
      if (Object.keys(active).length === 0) {
        res.status(503).json({
          status: 'unavailable',
          reason: `Neo4j answers but no similarity model has an active version (expected at least one of ${MODEL_NAMES.join(', ')}): run npm run similarity`,
        });
        return;
      }
      res.json({ status: 'ready', models: active, live: liveState() });
    } catch (err) {
      const reason =
        err instanceof AppError && ERROR_KINDS[err.code].status === 503
          ? 'Neo4j is unreachable'
          : 'Neo4j did not answer the readiness query';
      res.status(503).json({ status: 'unavailable', reason });
    }
  });

  return router;
}
