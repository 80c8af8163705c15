// The API's error boundary: AppError -> GraphQL extensions.code / HTTP status, mapped once; the unexpected is masked.
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { AppError, type ErrorCode } from '../errors';

export type GraphQLCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'UNAVAILABLE' | 'INTERNAL_SERVER_ERROR';

export function graphqlCode(code: ErrorCode): GraphQLCode {
  switch (code) {
    case 'BAD_USER_INPUT':
      return 'BAD_USER_INPUT';
    case 'NOT_FOUND':
      return 'NOT_FOUND';
    case 'UNAVAILABLE':
      return 'UNAVAILABLE';
    case 'CONFIG':
    case 'INTERNAL':
      return 'INTERNAL_SERVER_ERROR';
  }
}

export function httpStatus(code: ErrorCode): number {
  switch (code) {
    case 'BAD_USER_INPUT':
      return 400;
    case 'NOT_FOUND':
      return 404;
    case 'UNAVAILABLE':
      return 503;
    case 'CONFIG':
    case 'INTERNAL':
      return 500;
  }
}

const UNAVAILABLE_MESSAGE = 'The graph database is unavailable; retry shortly';
const INTERNAL_MESSAGE = 'Internal server error';

/** The message a client may see: driver details and internal errors only in development. */
export function publicMessage(err: AppError, development: boolean): string {
  if (development) return err.message;
  if (err.code === 'UNAVAILABLE') return UNAVAILABLE_MESSAGE;
  if (err.code === 'INTERNAL' || err.code === 'CONFIG') return INTERNAL_MESSAGE;
  return err.message;
}

// A SimilarityModel literal that is not in the enum fails validation; to the client it is bad input like any other.
const BAD_ENUM =
  /^(Value|Enum) "[^"]*" does not exist in "SimilarityModel" enum|Expected value of type "SimilarityModel/;

/** Apollo formatError: AppErrors get their code, unknown errors become INTERNAL_SERVER_ERROR without details. */
export function formatGraphQLError(
  formatted: GraphQLFormattedError,
  error: unknown,
  development: boolean,
  onInternal: (err: unknown) => void,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const ext = formatted.extensions ?? {};
  if (original instanceof AppError) {
    if (original.code === 'INTERNAL' || original.code === 'CONFIG') onInternal(original);
    return {
      ...formatted,
      message: publicMessage(original, development),
      extensions: {
        ...(development ? ext : {}),
        code: graphqlCode(original.code),
        ...(original.code === 'BAD_USER_INPUT' && original.details !== undefined ? { details: original.details } : {}),
      },
    };
  }
  const code = typeof ext.code === 'string' ? ext.code : 'INTERNAL_SERVER_ERROR';
  if (code === 'GRAPHQL_VALIDATION_FAILED' && BAD_ENUM.test(formatted.message)) {
    return { ...formatted, extensions: { ...ext, code: 'BAD_USER_INPUT' } };
  }
  if (code === 'INTERNAL_SERVER_ERROR') {
    onInternal(original);
    if (!development) return { message: INTERNAL_MESSAGE, extensions: { code } };
  }
  return formatted;
}
