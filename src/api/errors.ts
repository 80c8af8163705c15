// The API's error boundary: one table maps each error kind to its GraphQL code, HTTP status and public message;
// the unexpected is masked. Details (driver messages, stack traces) reach clients only with NODE_ENV=development.
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError, type ErrorCode } from '../errors';

export type GraphQLCode =
  'BAD_USER_INPUT' | 'NOT_FOUND' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'UNAVAILABLE' | 'INTERNAL_SERVER_ERROR';

export interface ErrorKind {
  graphql: GraphQLCode;
  status: number;
  /** Shown instead of the error's own message outside development; undefined: the message is for the client. */
  publicMessage: string | undefined;
  /** Seconds a client should wait before retrying (Retry-After), for passing conditions. */
  retryAfter: number | undefined;
}

const UNAVAILABLE_MESSAGE = 'The graph database is unavailable; retry shortly';
const TIMEOUT_MESSAGE = 'The graph database did not answer in time; retry shortly';
const INTERNAL_MESSAGE = 'Internal server error';

const kind = (graphql: GraphQLCode, status: number, publicMessage?: string, retryAfter?: number): ErrorKind => ({
  graphql,
  status,
  publicMessage,
  retryAfter,
});

/** Every error kind, once. */
export const ERROR_KINDS: Readonly<Record<ErrorCode, ErrorKind>> = {
  BAD_USER_INPUT: kind('BAD_USER_INPUT', 400),
  PAYLOAD_TOO_LARGE: kind('BAD_USER_INPUT', 413),
  UNSUPPORTED_MEDIA_TYPE: kind('BAD_USER_INPUT', 415),
  NOT_FOUND: kind('NOT_FOUND', 404),
  UNAUTHENTICATED: kind('UNAUTHENTICATED', 401),
  FORBIDDEN: kind('FORBIDDEN', 403),
  UNAVAILABLE: kind('UNAVAILABLE', 503, UNAVAILABLE_MESSAGE, 1),
  TIMEOUT: kind('UNAVAILABLE', 503, TIMEOUT_MESSAGE, 1),
  CONFIG: kind('INTERNAL_SERVER_ERROR', 500, INTERNAL_MESSAGE),
  INTERNAL: kind('INTERNAL_SERVER_ERROR', 500, INTERNAL_MESSAGE),
};

/** HTTP status of a GraphQL response whose errors all carry this code (the codes of ERROR_KINDS). */
const STATUS_BY_GRAPHQL_CODE: Readonly<Record<GraphQLCode, number>> = {
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

export function graphqlCode(code: ErrorCode): GraphQLCode {
  return ERROR_KINDS[code].graphql;
}

export function httpStatus(code: ErrorCode): number {
  return ERROR_KINDS[code].status;
}

/** The status for a GraphQL code of ours; undefined for codes Apollo or graphql-js own. */
export function statusOfGraphQLCode(code: unknown): number | undefined {
  return typeof code === 'string' && Object.hasOwn(STATUS_BY_GRAPHQL_CODE, code)
    ? STATUS_BY_GRAPHQL_CODE[code as GraphQLCode]
    : undefined;
}

/** The message a client may see: driver details and internal errors only in development. */
export function publicMessage(err: AppError, development: boolean): string {
  if (development) return err.message;
  return ERROR_KINDS[err.code].publicMessage ?? err.message;
}

/** A GraphQLError for bad input found before execution (parsing, limits): 400 with code BAD_USER_INPUT. */
export function badRequestError(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code: 'BAD_USER_INPUT', http: { status: 400 } } });
}

// A SimilarityModel literal that is not in the enum fails validation; to the client it is bad input like any other.
const BAD_ENUM =
  /^(Value|Enum) "[^"]*" does not exist in "SimilarityModel" enum|Expected value of type "SimilarityModel/;

/** Apollo formatError: AppErrors get their kind's code and message, unknown errors become INTERNAL_SERVER_ERROR. */
export function formatGraphQLError(
  formatted: GraphQLFormattedError,
  error: unknown,
  development: boolean,
  onInternal: (err: unknown) => void,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const ext = formatted.extensions ?? {};
  if (original instanceof AppError) {
    const k = ERROR_KINDS[original.code];
    if (k.status >= 500 && k.graphql === 'INTERNAL_SERVER_ERROR') onInternal(original);
    return {
      message: publicMessage(original, development),
      ...(formatted.locations !== undefined ? { locations: formatted.locations } : {}),
      ...(formatted.path !== undefined ? { path: formatted.path } : {}),
      extensions: {
        ...(development ? ext : {}),
        code: k.graphql,
        ...(k.status < 500 && original.details !== undefined ? { details: original.details } : {}),
      },
    };
  }
  // Apollo's own request errors (bad persisted query, CSRF, malformed request) carry a 4xx status and no code.
  const apolloStatus =
    original instanceof GraphQLError
      ? (original.extensions.http as { status?: unknown } | undefined)?.status
      : undefined;
  const clientStatus = typeof apolloStatus === 'number' && apolloStatus >= 400 && apolloStatus < 500;
  const code = typeof ext.code === 'string' ? ext.code : clientStatus ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
  if (code === 'GRAPHQL_VALIDATION_FAILED' && BAD_ENUM.test(formatted.message)) {
    return { ...formatted, extensions: { ...ext, code: 'BAD_USER_INPUT' } };
  }
  if (code === 'INTERNAL_SERVER_ERROR') {
    onInternal(original);
    if (!development) return { message: INTERNAL_MESSAGE, extensions: { code } };
  }
  if (ext.code === undefined) return { ...formatted, extensions: { ...ext, code } };
  if (!development && ext.stacktrace !== undefined) {
    const { stacktrace: _dropped, ...rest } = ext;
    return { ...formatted, extensions: rest };
  }
  return formatted;
}
