// One error base class with a code; each boundary (driver -> AppError, AppError -> GraphQL/HTTP) maps it once.

/**
 * What went wrong, as a kind: the API maps each kind once to a GraphQL code, an HTTP status and a public message
 * (src/api/errors.ts). TIMEOUT: Neo4j or the request ran out of time; PAYLOAD_TOO_LARGE and
 * UNSUPPORTED_MEDIA_TYPE are bad input with a status of their own; UNAUTHENTICATED (no credentials) and FORBIDDEN
 * (other credentials) guard operators' operations.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'UNAVAILABLE'
  | 'TIMEOUT'
  | 'CONFIG'
  | 'INTERNAL';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

export class ConfigError extends AppError {
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    super('CONFIG', `Invalid configuration:\n  - ${problems.join('\n  - ')}`, { problems });
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function badInput(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('BAD_USER_INPUT', message, details);
}

export function notFound(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('NOT_FOUND', message, details);
}

/** Describes a value for "expected X, got Y" messages without dumping large inputs. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
