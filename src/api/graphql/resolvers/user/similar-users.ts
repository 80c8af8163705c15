// User.similarUsers: the active version's neighbours, batched across all users of the request.
import type { UserResolvers } from '../../../../generated/graphql/resolvers';
import { MAX_LIMIT, parseLimit } from '../../../models';

export const similarUsers: NonNullable<UserResolvers['similarUsers']> = async (u, args, { loaders }) => {
  const limit = parseLimit(args.limit, 'limit', 10, MAX_LIMIT);
  const model = args.model ?? (await loaders.defaultModel());
  const list = await loaders.neighbours.load({ handle: u.handle, model, limit });
  return list.neighbours.map((n) => ({ ...n, of: u.handle, model, version: list.version, live: list.live === true }));
};
