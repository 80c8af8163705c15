// Request limits and status mapping for GraphQL: a depth rule, a complexity budget, 503 when only the database failed.
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import depthLimit from 'graphql-depth-limit';
import { AppError } from '../../errors';
import { MAX_LIMIT, parseLimit } from '../models';
import { MAX_PAGE } from './resolvers/query/users';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';

export const MAX_DEPTH = 10;
export const MAX_COMPLEXITY = 20_000;

/** Lists whose size an argument sets cost that many children; other lists are assumed to hold about ten. */
const listEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  const name = field.name;
  // Out-of-range sizes are refused here with the same message the resolver would give, before any cost is paid.
  if (name === 'similarUsers') return 1 + parseLimit(args.limit, 'limit', 10, MAX_LIMIT) * childComplexity;
  if (name === 'users') return 1 + parseLimit(args.first, 'first', 20, MAX_PAGE) * childComplexity;
  if (name === 'reasons') return 1 + parseLimit(args.limit, 'reasons(limit)', 5, 50) * childComplexity;
  if (name === 'interests' || name === 'viewedCourses' || name === 'assessments') return 1 + 10 * childComplexity;
  return undefined;
};

/** When every error of a result is UNAVAILABLE (Neo4j down), the HTTP status says so too: 503, as REST does. */
export function unavailableStatusPlugin<C extends object>(): ApolloServerPlugin<C> {
  return {
    requestDidStart() {
      return Promise.resolve({
        willSendResponse({ response }) {
          if (response.body.kind !== 'single') return Promise.resolve();
          const errors = response.body.singleResult.errors ?? [];
          if (errors.length > 0 && errors.every((e) => e.extensions?.code === 'UNAVAILABLE')) {
            response.http.status = 503;
          }
          return Promise.resolve();
        },
      });
    },
  };
}

export function depthRule() {
  return depthLimit(MAX_DEPTH);
}

export function complexityPlugin<C extends object>(max = MAX_COMPLEXITY): ApolloServerPlugin<C> {
  return {
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ request, document, schema }) {
          let cost: number;
          try {
            cost = getComplexity({
              schema,
              query: document,
              variables: request.variables ?? {},
              ...(request.operationName !== undefined && request.operationName !== null
                ? { operationName: request.operationName }
                : {}),
              estimators: [listEstimator, simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (err) {
            if (err instanceof AppError)
              throw new GraphQLError(err.message, { extensions: { code: 'BAD_USER_INPUT' } });
            // Bad variables: execution reports them with a precise message.
            return Promise.resolve();
          }
          if (cost > max) {
            throw new GraphQLError(
              `Query too complex: expected a complexity of at most ${max}, got ${cost} (lower limit/first or select fewer nested lists)`,
              { extensions: { code: 'BAD_USER_INPUT', complexity: cost, maxComplexity: max } },
            );
          }
          return Promise.resolve();
        },
      });
    },
  };
}
