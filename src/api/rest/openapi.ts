// The OpenAPI 3.1 description of the older clients' REST routes and the probes, served at /openapi.json; an
// integration test checks every documented status and shape against what the routes answer.
import { DEFAULT_LIMIT, MAX_LIMIT, MODEL_NAMES } from '../models';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description: string): Json => ({
  description,
  content: { 'application/json': { schema } },
});
const error = (name: string): Json => ({ $ref: `#/components/responses/${name}` });

/** The query or body fields both similarity routes read. */
const LOOKUP_FIELDS = {
  user_handle: ref('Handle'),
  model: ref('Model'),
  limit: ref('Limit'),
};

/** Answers every lookup route may give besides 200. */
const LOOKUP_ERRORS = {
  '400': error('BadRequest'),
  '404': error('NotFound'),
  '408': error('RequestTimeout'),
  '413': error('PayloadTooLarge'),
  '415': error('UnsupportedMediaType'),
  '503': error('Unavailable'),
};

const queryParams: Json = [
  { name: 'user_handle', in: 'query', schema: ref('Handle'), description: 'the user (or in the JSON body)' },
  { name: 'model', in: 'query', schema: ref('Model') },
  { name: 'limit', in: 'query', schema: ref('Limit') },
];

const similarity = (method: string): Json => ({
  operationId: `similarity${method}`,
  summary: 'Neighbours of a user with their scores (fields from the query string or a JSON body; the body wins)',
  parameters: queryParams,
  requestBody: {
    required: false,
    content: { 'application/json': { schema: ref('LookupBody') } },
  },
  responses: {
    '200': json(
      { type: 'array', items: ref('ScoredNeighbour') },
      'The neighbours, best first (empty when the user has none)',
    ),
    ...LOOKUP_ERRORS,
  },
});

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'similar-users REST API (older clients)',
    version: '1.0.0',
    description:
      'The routes the older clients call, with their exact shapes, and the health probes. New clients use GraphQL at /graphql.',
  },
  jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  paths: {
    '/similar-users/': {
      post: {
        operationId: 'similarUsers',
        summary: "Handles of a user's neighbours under one model",
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { ...ref('LookupBody'), required: ['user_handle'] } } },
        },
        responses: {
          '200': json(ref('SimilarUsers'), 'The neighbours, best first'),
          ...LOOKUP_ERRORS,
        },
      },
    },
    '/api/similarity/': { get: similarity('Get'), post: similarity('Post') },
    '/healthz': {
      get: {
        operationId: 'healthz',
        summary: 'Liveness: the process answers (Neo4j is not asked)',
        responses: { '200': json(ref('Health'), 'Alive') },
      },
    },
    '/readyz': {
      get: {
        operationId: 'readyz',
        summary: 'Readiness: Neo4j answers and at least one model has an active version',
        responses: {
          '200': json(ref('Ready'), 'Ready, with the active version of each model'),
          '503': json(ref('NotReady'), 'Not ready, with the reason'),
        },
      },
    },
  },
  components: {
    schemas: {
      Handle: {
        description: 'A user handle: a non-negative integer, or a string of digits',
        oneOf: [
          { type: 'integer', minimum: 0 },
          { type: 'string', pattern: '^\\s*\\d+\\s*$' },
        ],
      },
      Model: {
        description: 'A similarity model (case-insensitive, - for _); the default model when absent',
        type: 'string',
        examples: [...MODEL_NAMES],
      },
      Limit: {
        description: `How many neighbours, 1..${MAX_LIMIT} (default ${DEFAULT_LIMIT}); a number or numeric string`,
        oneOf: [
          { type: 'integer', minimum: 1, maximum: MAX_LIMIT },
          { type: 'string', pattern: '^\\s*\\d+\\s*$' },
        ],
      },
      LookupBody: { type: 'object', properties: LOOKUP_FIELDS },
      SimilarUsers: {
        type: 'object',
        required: ['request_data', 'data'],
        additionalProperties: false,
        properties: {
          request_data: { description: 'The user_handle as sent', oneOf: [{ type: 'integer' }, { type: 'string' }] },
          data: {
            type: 'object',
            required: ['model_handle', 'similar_users'],
            additionalProperties: false,
            properties: {
              model_handle: { type: 'string', enum: [...MODEL_NAMES], description: 'The model that answered' },
              similar_users: { type: 'array', items: { type: 'integer', minimum: 0 } },
            },
          },
        },
      },
      ScoredNeighbour: {
        type: 'object',
        required: ['similar', 'score'],
        additionalProperties: false,
        properties: {
          similar: { type: 'string', pattern: '^\\d+$', description: "The neighbour's handle, as a string" },
          score: { type: 'number', description: 'Similarity, rounded to 4 decimals' },
        },
      },
      Error: {
        type: 'object',
        required: ['error'],
        additionalProperties: false,
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            description: 'Client errors may carry more fields (e.g. the user_handle that was not found)',
            properties: {
              code: { type: 'string', enum: ['BAD_USER_INPUT', 'NOT_FOUND', 'UNAVAILABLE', 'INTERNAL_SERVER_ERROR'] },
              message: { type: 'string', description: 'What was expected and what arrived' },
            },
          },
        },
      },
      Health: {
        type: 'object',
        required: ['status', 'uptimeSeconds'],
        additionalProperties: false,
        properties: { status: { const: 'ok' }, uptimeSeconds: { type: 'integer', minimum: 0 } },
      },
      Ready: {
        type: 'object',
        required: ['status', 'models', 'live'],
        additionalProperties: false,
        properties: {
          status: { const: 'ready' },
          live: {
            description:
              "The startup's build of the live answers' indexes (users without a stored list): warming (a live answer waits for it; minutes at 1,000,000 users), ready, or failed (built on first use instead). Stored lists are served in every state",
            enum: ['warming', 'ready', 'failed'],
          },
          models: {
            type: 'object',
            minProperties: 1,
            propertyNames: { enum: [...MODEL_NAMES] },
            additionalProperties: { type: 'integer' },
          },
        },
      },
      NotReady: {
        type: 'object',
        required: ['status', 'reason'],
        additionalProperties: false,
        properties: { status: { const: 'unavailable' }, reason: { type: 'string' } },
      },
    },
    headers: {
      RetryAfter: { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } },
    },
    responses: {
      BadRequest: json(ref('Error'), 'Bad input: malformed JSON, a body that is not JSON, a missing or bad field'),
      NotFound: json(ref('Error'), 'No user with that handle (the error also carries the user_handle sent)'),
      RequestTimeout: {
        description:
          'The client did not send its headers (HTTP_HEADERS_TIMEOUT_MS) or its whole request (HTTP_BODY_TIMEOUT_MS) in time; answered by the HTTP server with an empty body',
      },
      PayloadTooLarge: json(ref('Error'), 'A body larger than the limit (100 kB)'),
      UnsupportedMediaType: json(
        ref('Error'),
        'A JSON body in a charset other than UTF-8, or an unknown Content-Encoding',
      ),
      Unavailable: {
        ...(json(
          ref('Error'),
          'Neo4j is unreachable, saturated or too slow: retry after Retry-After seconds',
        ) as object),
        headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
      },
    },
  },
} as const;
