// The fast path for repeated queries: a POST of a query text Apollo has already accepted (parsed, validated, its
// operation resolved) is checked against the same limits and run by the same executor without Apollo's request
// pipeline, and its data answered as Apollo answers it. Anything else, and any answer with errors, goes to Apollo:
// an executed request hands its result over (OperationExecutor.gateway returns it), so Apollo formats, masks and
// maps its errors exactly as before and nothing runs twice.
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import { OperationTypeNode, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { HANDED_OVER, type HandedOver, type OperationExecutor } from './executor';
import { checkOperation } from './limits';

/** Query texts kept (the oldest goes first) and the longest kept: bounds what the table holds. */
export const FAST_PATH_QUERIES = 512;
export const FAST_PATH_MAX_QUERY = 4_096;

/** Apollo's answer's content type when the client's Accept leaves it the choice (the only ones served here). */
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
/** Accept headers for which Apollo answers JSON_CONTENT_TYPE; others (graphql-response+json, ...) go to Apollo. */
const PLAIN_ACCEPT: ReadonlySet<string | undefined> = new Set([undefined, '*/*', 'application/json']);
/** Request bodies as Apollo reads them: JSON in UTF-8 (other charsets the body parser refuses first). */
const JSON_REQUEST = /^application\/json(?:;\s*charset=utf-8)?$/i;
const BODY_KEYS: ReadonlySet<string> = new Set(['query', 'variables', 'operationName']);

/** What Apollo accepted for a query text. */
interface Accepted {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** The request's operationName as sent with that text (null when none). */
  requestedName: string | null;
}

export interface FastPathOptions<C extends object> {
  schema: GraphQLSchema;
  executor: OperationExecutor;
  /** The request's context, as the Apollo middleware would build it. */
  context: (req: Request, res: Response) => C;
  /** Labels the request with its operation (metrics and the request log), as the metrics plugin does. */
  nameOperation: (res: Response, operationName: string | null) => void;
}

export interface FastPath<C extends object> {
  /** Records the query texts Apollo accepted; goes after the plugins that check requests. */
  readonly plugin: ApolloServerPlugin<C>;
  /** Express handler for POST /graphql, in front of Apollo's middleware. */
  readonly handler: (req: Request, res: Response, next: NextFunction) => Promise<void>;
  /** The context the fast path built for a request it handed over to Apollo, if any. */
  handedOver(res: Response): C | undefined;
  /** Requests answered here, and requests executed here and answered by Apollo (errors). */
  readonly counts: { readonly answered: number; readonly handedOver: number };
}

interface Body {
  query: string;
  variables: Record<string, unknown> | undefined;
  operationName: string | null;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The request as the fast path takes it, or undefined for anything it leaves to Apollo. */
function plainRequest(req: Request): Body | undefined {
  const type = req.headers['content-type'];
  if (type === undefined || !JSON_REQUEST.test(type) || !PLAIN_ACCEPT.has(req.headers.accept)) return undefined;
  const body: unknown = req.body;
  if (!isPlainObject(body)) return undefined;
  for (const key in body) if (!BODY_KEYS.has(key)) return undefined;
  const { query, variables, operationName } = body;
  if (typeof query !== 'string') return undefined;
  if (variables !== undefined && variables !== null && !isPlainObject(variables)) return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  return { query, variables: variables ?? undefined, operationName: operationName ?? null };
}

export function graphqlFastPath<C extends object>(options: FastPathOptions<C>): FastPath<C> {
  const { schema, executor } = options;
  const accepted = new Map<string, Accepted>();
  const counts = { answered: 0, handedOver: 0 };
  const handedContexts = new WeakMap<Response, C>();

  // Runs after Apollo validated the document and resolved its operation: only queries sent by POST are kept.
  const listener: GraphQLRequestListener<C> = {
    didResolveOperation({ request, document, operation }) {
      const query = request.query;
      if (
        operation?.operation === OperationTypeNode.QUERY &&
        request.http?.method === 'POST' &&
        typeof query === 'string' &&
        query.length <= FAST_PATH_MAX_QUERY &&
        !accepted.has(query)
      ) {
        if (accepted.size >= FAST_PATH_QUERIES) accepted.delete(accepted.keys().next().value as string);
        accepted.set(query, { document, operation, requestedName: request.operationName ?? null });
      }
      return Promise.resolve();
    },
  };

  const handler = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const body = plainRequest(req);
    const known = body !== undefined ? accepted.get(body.query) : undefined;
    if (body === undefined || known === undefined || known.requestedName !== body.operationName) {
      next();
      return;
    }
    try {
      // Refused by a limit: Apollo refuses it the same way.
      checkOperation(schema, known.document, known.operation, body);
    } catch {
      next();
      return;
    }
    const operationName = known.operation.name?.value ?? null;
    const context = options.context(req, res);
    options.nameOperation(res, operationName);
    let result;
    try {
      result = await executor.run({
        document: known.document,
        operation: known.operation,
        operationName: body.operationName,
        variables: body.variables,
        context,
      });
    } catch {
      // Not expected (executors report errors in the result): Apollo runs the request from the start.
      next();
      return;
    }
    // Answered already (the request deadline passed): the late result is dropped.
    if (res.headersSent) return;
    if (
      (result.errors !== undefined && result.errors.length > 0) ||
      result.data === null ||
      result.data === undefined ||
      result.extensions
    ) {
      const handed: HandedOver = { query: body.query, operationName, result };
      Object.defineProperty(context, HANDED_OVER, { value: handed, enumerable: true });
      handedContexts.set(res, context);
      counts.handedOver++;
      next();
      return;
    }
    counts.answered++;
    // As Apollo's express integration answers: its content type, status, and JSON text with a newline.
    res.setHeader('content-type', JSON_CONTENT_TYPE);
    res.statusCode = 200;
    res.send(`${JSON.stringify({ data: result.data })}\n`);
  };

  return {
    plugin: { requestDidStart: () => Promise.resolve(listener) },
    handler,
    handedOver: (res) => handedContexts.get(res),
    counts,
  };
}
