// Query.models: the SimilarityModel nodes whose names the API knows, in enum order.
import type { QueryResolvers } from '../../../../generated/graphql/resolvers';
import { MODEL_NAMES } from '../../../models';

export const models: NonNullable<QueryResolvers['models']> = async (_parent, _args, { loaders }) => {
  // Memoised per request: aliases of models cost one query.
  const rows = await loaders.models();
  return MODEL_NAMES.flatMap((name) => rows.filter((r) => r.name === String(name)));
};
