// User.similarUsers: the active version's neighbours, batched across all users of the request.
import type { UserResolvers } from '../../../../generated/graphql/resolvers';
import { DEFAULT_LIMIT, MAX_LIMIT, parseLimit } from '../../../models';

export const similarUsers: NonNullable<UserResolvers['similarUsers']> = async (u, args, { loaders }) => {
  const limit = parseLimit(args.limit, 'limit', DEFAULT_LIMIT, MAX_LIMIT);
  const model = args.model ?? (await loaders.defaultModel());
  const list = await loaders.neighbours.load({ handle: u.handle, model, limit });
  const live = list.live === true;
  // Fields named, not spread: the driver's row objects are slow to copy, and this runs for every neighbour.
  return list.neighbours.map((n) => ({
    handle: n.handle,
    score: n.score,
    rank: n.rank,
    of: u.handle,
    model,
    version: list.version,
    live,
  }));
};
