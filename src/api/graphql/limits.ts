// Request limits for GraphQL: a token cap at parse time, a depth rule, node and alias caps, a complexity budget
// (any failure to estimate refuses the operation), and the HTTP status that follows from the errors' codes.
// The shape check and the price are kept per operation of a document (and per value of the variables that can
// change the price): Apollo's document store hands back the same parsed document for the same query text.
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import depthLimit from 'graphql-depth-limit';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { AppError } from '../../errors';
import { badRequestError, statusOfGraphQLCode } from '../errors';
import { DEFAULT_LIMIT, MAX_LIMIT, parseLimit } from '../models';
import { MAX_PAGE } from './resolvers/query/users';

export const MAX_DEPTH = 10;
export const MAX_COMPLEXITY = 20_000;
/** Lexical tokens in one document: bounds the work of parsing and validating before any other limit applies. */
export const MAX_TOKENS = 5_000;
/** Fields of the operation with its fragments expanded (what the executor would visit at most per parent). */
export const MAX_NODES = 1_000;
/** Aliased fields of the operation, fragments expanded: aliases are how one request multiplies a field. */
export const MAX_ALIASES = 50;

/** What a field that reads Neo4j costs before its children: a query (or a share of a batched one), not one unit. */
export const NEO4J_FIELD_COST = 10;

/**
 * What a live preview costs before its children: it scores a hypothetical user against every user's row in the API's
 * index (no cache: each call computes), so a request holds at most a few (MAX_COMPLEXITY / this).
 */
export const LIVE_SCAN_COST = 4_000;

/**
 * The only arguments the estimator reads (`limit`, `first`): with the arguments of directives (@skip, @include),
 * the only places where a variable can change a price. A document's prices are kept by these variables' values.
 */
const COST_ARGUMENTS: ReadonlySet<string> = new Set(['limit', 'first']);

/**
 * Fields that read Neo4j cost NEO4J_FIELD_COST; lists whose size an argument sets cost that many children, other
 * lists about ten (models at most five).
 */
const listEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  const name = field.name;
  const read = NEO4J_FIELD_COST;
  // Out-of-range sizes are refused here with the same message the resolver would give, before any cost is paid.
  switch (name) {
    case 'similarUsers':
      return read + parseLimit(args.limit, 'limit', DEFAULT_LIMIT, MAX_LIMIT) * childComplexity;
    case 'previewSimilarUsers':
      return LIVE_SCAN_COST + parseLimit(args.limit, 'limit', DEFAULT_LIMIT, MAX_LIMIT) * childComplexity;
    case 'users':
      return read + parseLimit(args.first, 'first', 20, MAX_PAGE) * childComplexity;
    case 'reasons':
      return read + parseLimit(args.limit, 'reasons(limit)', 5, 50) * childComplexity;
    case 'interests':
    case 'viewedCourses':
    case 'assessments':
      return read + 10 * childComplexity;
    case 'models':
      return read + 5 * childComplexity;
    case 'user':
      // SimilarUser.user needs no lookup (the edge points at an existing user); Query.user does.
      return type.name === 'Query' ? read + childComplexity : undefined;
    case 'totalCount':
      return read + childComplexity;
    default:
      return undefined;
  }
};

/**
 * Sets the HTTP status from the errors' codes when they all agree: UNAVAILABLE -> 503 (with Retry-After), as REST
 * answers; BAD_USER_INPUT -> 400. Mixed or foreign codes keep Apollo's status.
 */
export function statusFromErrorsPlugin<C extends object>(): ApolloServerPlugin<C> {
  // One listener serves every request: its hooks keep no per-request state.
  const listener: GraphQLRequestListener<C> = {
    willSendResponse({ response }) {
      if (response.body.kind !== 'single') return Promise.resolve();
      const errors = response.body.singleResult.errors ?? [];
      const statuses = new Set(errors.map((e) => statusOfGraphQLCode(e.extensions?.code)));
      const [status] = statuses;
      // Internal errors keep Apollo's status: only client errors and a passing outage are mapped.
      if (errors.length > 0 && statuses.size === 1 && status !== undefined && status !== 500) {
        response.http.status = status;
        if (status === 503) response.http.headers.set('retry-after', '1');
        if (status === 401) response.http.headers.set('www-authenticate', 'Bearer realm="admin"');
      }
      return Promise.resolve();
    },
  };
  return { requestDidStart: () => Promise.resolve(listener) };
}

export function depthRule() {
  return depthLimit(MAX_DEPTH);
}

interface Counts {
  nodes: number;
  aliases: number;
}

/** Counts fields and aliases with fragments expanded, stopping as soon as a cap is passed. */
function countSelections(
  set: SelectionSetNode | undefined,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  counts: Counts,
  caps: Counts,
): void {
  for (const sel of set?.selections ?? []) {
    if (counts.nodes > caps.nodes || counts.aliases > caps.aliases) return;
    if (sel.kind === Kind.FIELD) {
      counts.nodes++;
      if (sel.alias !== undefined) counts.aliases++;
      countSelections(sel.selectionSet, fragments, counts, caps);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      countSelections(sel.selectionSet, fragments, counts, caps);
    } else {
      countSelections(fragments.get(sel.name.value)?.selectionSet, fragments, counts, caps);
    }
  }
}

/** The operation a request runs (validation has checked that the name, if any, is known and fragments do not cycle). */
function operationOf(document: DocumentNode, name: string | null | undefined): OperationDefinitionNode | undefined {
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return name === undefined || name === null ? ops[0] : ops.find((o) => o.name?.value === name);
}

/** Refuses documents past the node or alias cap; exported for tests. */
export function checkShape(
  document: DocumentNode,
  operationName: string | null | undefined,
  caps: Counts = { nodes: MAX_NODES, aliases: MAX_ALIASES },
): void {
  checkOperationShape(document, operationOf(document, operationName), caps);
}

/** The same for an operation already picked out of its document (as the server resolved it). */
function checkOperationShape(
  document: DocumentNode,
  op: OperationDefinitionNode | undefined,
  caps: Counts = { nodes: MAX_NODES, aliases: MAX_ALIASES },
): void {
  if (op === undefined) return;
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  const counts = { nodes: 0, aliases: 0 };
  countSelections(op.selectionSet, fragments, counts, caps);
  if (counts.nodes > caps.nodes) {
    throw badRequestError(
      `Query too large: expected at most ${caps.nodes} fields with fragments expanded, got more than ${caps.nodes}`,
      { maxNodes: caps.nodes },
    );
  }
  if (counts.aliases > caps.aliases) {
    throw badRequestError(
      `Too many aliases: expected at most ${caps.aliases} aliased fields, got more than ${caps.aliases}`,
      { maxAliases: caps.aliases },
    );
  }
}

/** Variables of the document used where they can change its price: COST_ARGUMENTS and directive arguments. */
function costVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  const collect = (value: ValueNode) =>
    visit(value, {
      Variable(v) {
        names.add(v.name.value);
      },
    });
  visit(document, {
    Field(field) {
      for (const arg of field.arguments ?? []) if (COST_ARGUMENTS.has(arg.name.value)) collect(arg.value);
    },
    Directive(directive) {
      for (const arg of directive.arguments ?? []) collect(arg.value);
    },
  });
  return [...names].sort();
}

/** What is known of one operation of a parsed document once its shape passed. */
interface Priced {
  costVariables: string[];
  /** Prices within budget, by the JSON of the cost variables' values. */
  costs: Map<string, number>;
}

/** Prices kept per operation (and so per document: entries go with the documents Apollo's store evicts). */
const PRICED = new WeakMap<OperationDefinitionNode, Priced>();
/** Bounds what one operation keeps: this many distinct cost-variable values, keys of at most this many characters. */
const MAX_PRICES = 64;
const MAX_PRICE_KEY = 256;

function priceKey(names: readonly string[], variables: Readonly<Record<string, unknown>>): string {
  // JSON never yields '', so '' stands for an absent variable (which a default value may then fill).
  return JSON.stringify(names.map((n) => (variables[n] === undefined ? '' : JSON.stringify(variables[n]))));
}

type PriceSchema = Parameters<typeof getComplexity>[0]['schema'];

function price(
  schema: PriceSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName: string | null | undefined,
): number {
  try {
    return getComplexity({
      schema,
      query: document,
      variables,
      ...(operationName !== undefined && operationName !== null ? { operationName } : {}),
      maxQueryNodes: MAX_NODES * 10,
      estimators: [listEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (err) {
    // Whatever stops the estimate refuses the operation: an unpriced query never runs.
    if (err instanceof AppError) throw badRequestError(err.message);
    // graphql-js's own messages (bad variables, too many nodes) are written for clients.
    if (err instanceof GraphQLError) throw badRequestError(err.message);
    throw badRequestError("Cannot estimate the query's cost: expected a query the server can price; simplify it");
  }
}

/**
 * Refuses anything but queries, documents past the node or alias cap, and operations priced above `max` (or that
 * cannot be priced), by throwing the GraphQLError the client gets. The shape of an operation is checked once and a
 * price computed once per value of its cost variables; other variables are coerced by the executor, which refuses
 * bad ones with a 400 as well. Used by complexityPlugin and by the fast path (fast-path.ts) alike.
 */
export function checkOperation(
  schema: PriceSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode | undefined,
  requested: { operationName?: string | null | undefined; variables?: Record<string, unknown> | null | undefined },
  max = MAX_COMPLEXITY,
): void {
  // Mutations exist only on a server with ADMIN_TOKEN (schema/admin.graphql); subscriptions nowhere.
  const allowed =
    operation === undefined ||
    operation.operation === OperationTypeNode.QUERY ||
    (operation.operation === OperationTypeNode.MUTATION && schema.getMutationType() != null);
  if (!allowed) {
    throw badRequestError(`expected a query operation, got a ${operation.operation} (this API defines queries only)`);
  }
  const variables = requested.variables ?? {};
  let known = operation !== undefined ? PRICED.get(operation) : undefined;
  if (known === undefined) {
    // The operation the server resolved, priced by its own name, not by the request's operationName.
    checkOperationShape(document, operation ?? operationOf(document, requested.operationName));
    known = { costVariables: costVariables(document), costs: new Map() };
    if (operation !== undefined) PRICED.set(operation, known);
  }
  const key = priceKey(known.costVariables, variables);
  let cost = known.costs.get(key);
  if (cost === undefined) {
    cost = price(schema, document, variables, operation?.name?.value);
    if (cost <= max && known.costs.size < MAX_PRICES && key.length <= MAX_PRICE_KEY) known.costs.set(key, cost);
  }
  if (cost > max) {
    throw badRequestError(
      `Query too complex: expected a complexity of at most ${max}, got ${cost} (lower limit/first or select fewer nested lists)`,
      { complexity: cost, maxComplexity: max },
    );
  }
}

/** The request limits as an Apollo plugin: checkOperation once the operation is resolved. */
export function complexityPlugin<C extends object>(max = MAX_COMPLEXITY): ApolloServerPlugin<C> {
  // One listener serves every request: its hooks keep no per-request state.
  const listener: GraphQLRequestListener<C> = {
    didResolveOperation({ request, document, schema, operation }) {
      checkOperation(schema, document, operation, request, max);
      return Promise.resolve();
    },
  };
  return { requestDidStart: () => Promise.resolve(listener) };
}
