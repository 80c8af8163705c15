// Execution of validated operations: graphql-jit for operations served again and again, graphql-js otherwise.
// Apollo Server 4+ takes a custom executor only through its gateway interface (its migration guide's answer for the
// removed `executor` option); parsing, validation, plugins, limits and error formatting stay Apollo's.
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  execute,
  GraphQLError,
  printSchema,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/**
 * An operation is compiled on its second execution: a document sent once (or a client sending a new one each time)
 * costs no compilation, which takes longer than one execution.
 */
const COMPILE_AFTER = 1;

interface Seen {
  runs: number;
  /** The compiled operation; null when graphql-jit could not compile it (graphql-js runs it then). */
  compiled?: CompiledQuery | null;
}

/**
 * Operations of Apollo's parsed documents, with their compiled forms: entries go with the documents Apollo's
 * document store evicts.
 */
type Compiled = WeakMap<OperationDefinitionNode, Seen>;

/** Runs one operation; exported for tests, which compare it with graphql-js on the same requests. */
export async function executeOperation(
  schema: GraphQLSchema,
  compiled: Compiled,
  request: {
    document: Parameters<typeof execute>[0]['document'];
    operation: OperationDefinitionNode | undefined;
    operationName: string | null | undefined;
    variables: Record<string, unknown> | undefined;
    context: unknown;
  },
): Promise<ExecutionResult> {
  const { document, operation, operationName, variables, context } = request;
  const viaGraphqlJs = () =>
    execute({
      schema,
      document,
      contextValue: context,
      variableValues: variables,
      operationName: operationName ?? undefined,
    });
  if (operation === undefined) return viaGraphqlJs();
  let seen = compiled.get(operation);
  if (seen === undefined) {
    seen = { runs: 0 };
    compiled.set(operation, seen);
  }
  if (seen.runs++ < COMPILE_AFTER) return viaGraphqlJs();
  if (seen.compiled === undefined) {
    const c = compileQuery(schema, document, operation.name?.value);
    seen.compiled = isCompiledQuery(c) ? c : null;
  }
  if (seen.compiled === null) return viaGraphqlJs();
  const result = await seen.compiled.query(undefined, context, variables ?? {});
  // No data: the request failed before any resolver ran (variables). graphql-js words those errors the way clients
  // and Apollo's status mapping know them (a 400 for bad variables), and running it resolves nothing either.
  if (result.data === undefined || result.data === null) {
    if (result.errors !== undefined && result.errors.length > 0 && !('data' in result)) return viaGraphqlJs();
  }
  return result.errors === undefined ? result : { ...result, errors: result.errors.map(asGraphQLError) };
}

/**
 * graphql-jit's errors as graphql-js makes them: its own error type leaves `extensions` undefined where graphql-js
 * sets {}, and Apollo's error formatting reads `extensions.code` (it would report INTERNAL_SERVER_ERROR instead).
 */
function asGraphQLError(e: GraphQLError): GraphQLError {
  const err = new GraphQLError(e.message, {
    path: e.path,
    ...(e.originalError != null ? { originalError: e.originalError } : {}),
    ...(e.extensions != null ? { extensions: e.extensions } : {}),
  });
  // Where in the query: graphql-jit knows the locations, not the nodes graphql-js would compute them from.
  Object.defineProperty(err, 'locations', {
    value: e.locations,
    enumerable: e.locations !== undefined,
    writable: true,
  });
  return err;
}

/** A request the fast path already executed, handed to Apollo so that Apollo answers its errors (fast-path.ts). */
export interface HandedOver {
  /** The query text and resolved operation name it was executed for. */
  query: string;
  operationName: string | null;
  result: ExecutionResult;
}

/** Where a context carries a handed-over result (enumerable: Apollo executes on a shallow copy of the context). */
export const HANDED_OVER = Symbol('executor.handedOver');

/** The schema's executor: graphql-jit once an operation repeats, one table of compiled operations for all callers. */
export class OperationExecutor {
  private readonly compiled: Compiled = new WeakMap();

  constructor(readonly schema: GraphQLSchema) {}

  run(request: Parameters<typeof executeOperation>[2]): Promise<ExecutionResult> {
    return executeOperation(this.schema, this.compiled, request);
  }

  /**
   * The `gateway` option for ApolloServer: serves the schema and executes through run(), except for a request the
   * fast path executed already (its context carries the result under HANDED_OVER): that result is Apollo's answer.
   */
  gateway(): GatewayInterface {
    const schema = this.schema;
    const executor: GatewayExecutor = (rc) => {
      const handed = (rc.context as Record<symbol, HandedOver | undefined>)[HANDED_OVER];
      if (handed !== undefined && handed.query === rc.source && handed.operationName === (rc.operationName ?? null)) {
        return Promise.resolve(handed.result);
      }
      return this.run({
        document: rc.document,
        operation: rc.operation,
        operationName: rc.operationName ?? rc.request.operationName,
        variables: rc.request.variables,
        context: rc.context,
      });
    };
    return {
      onSchemaLoadOrUpdate(callback) {
        callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
        return () => undefined;
      },
      load: () => Promise.resolve({ executor }),
      stop: () => Promise.resolve(),
    };
  }
}
