// A small fetch-based executor for the generated TypedDocumentNodes, with failures sorted into what the page can say.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export type FailureKind = 'unreachable' | 'unavailable' | 'bad-input' | 'server';

/** A request that did not produce data, classified so the page can give a clear message. */
export class RequestFailure extends Error {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string) {
    super(message);
    this.name = 'RequestFailure';
    this.kind = kind;
  }
}

interface GraphQLResponse<R> {
  data?: R | null;
  errors?: { message: string; extensions?: { code?: string } }[];
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

/** Runs one operation against the GraphQL endpoint; resolves with its data or rejects with a RequestFailure. */
export async function execute<R, V>(endpoint: string, doc: TypedDocumentNode<R, V>, variables: V): Promise<R> {
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query: source(doc as TypedDocumentNode<unknown, unknown>), variables }),
    });
  } catch (err) {
    throw new RequestFailure('unreachable', `Cannot reach the API server at ${endpoint} (${describe(err)}).`);
  }
  let body: GraphQLResponse<R>;
  try {
    body = (await response.json()) as GraphQLResponse<R>;
  } catch {
    // A proxy or a stopped server answers with an HTML error page rather than GraphQL JSON.
    throw new RequestFailure(
      response.status >= 500 ? 'unreachable' : 'server',
      `The API server at ${endpoint} answered HTTP ${response.status} without a GraphQL response.`,
    );
  }
  const first = body.errors?.[0];
  if (first !== undefined) {
    const code = first.extensions?.code ?? '';
    const kind: FailureKind =
      code === 'UNAVAILABLE'
        ? 'unavailable'
        : code === 'BAD_USER_INPUT' || code === 'GRAPHQL_VALIDATION_FAILED'
          ? 'bad-input'
          : 'server';
    throw new RequestFailure(kind, first.message);
  }
  if (body.data === undefined || body.data === null) {
    throw new RequestFailure('server', `The API server answered HTTP ${response.status} with neither data nor errors.`);
  }
  return body.data;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
