// A minimal executor for the generated TypedDocumentNodes: fetch + print; result and variables typed by the document.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export interface GraphQLErrorBody {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
  path?: (string | number)[];
}

export interface GraphQLResult<R> {
  status: number;
  data: R | null | undefined;
  errors: GraphQLErrorBody[] | undefined;
}

/** Raised by request() when the answer carries errors; `errors` holds them with their codes. */
export class GraphQLRequestError extends Error {
  readonly status: number;
  readonly errors: GraphQLErrorBody[];

  constructor(status: number, errors: GraphQLErrorBody[]) {
    super(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
    this.name = 'GraphQLRequestError';
    this.status = status;
    this.errors = errors;
  }
}

const printed = new WeakMap<object, string>();

function source(doc: TypedDocumentNode<unknown, unknown>): string {
  let text = printed.get(doc);
  if (text === undefined) {
    text = print(doc);
    printed.set(doc, text);
  }
  return text;
}

/** Runs one operation and returns status, data and errors as they came. */
export async function execute<R, V>(
  endpoint: string,
  document: TypedDocumentNode<R, V>,
  variables: V,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<GraphQLResult<R>> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...init.headers },
    body: JSON.stringify({ query: source(document as TypedDocumentNode<unknown, unknown>), variables }),
    ...(init.signal !== undefined ? { signal: init.signal } : {}),
  });
  const body = (await response.json()) as { data?: R | null; errors?: GraphQLErrorBody[] };
  return { status: response.status, data: body.data, errors: body.errors };
}

/** Runs one operation and resolves with its data; rejects with GraphQLRequestError when there are errors. */
export async function request<R, V>(endpoint: string, document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
  const result = await execute(endpoint, document, variables);
  if (result.errors !== undefined && result.errors.length > 0)
    throw new GraphQLRequestError(result.status, result.errors);
  if (result.data === undefined || result.data === null) {
    throw new GraphQLRequestError(result.status, [{ message: `HTTP ${result.status} with neither data nor errors` }]);
  }
  return result.data;
}
