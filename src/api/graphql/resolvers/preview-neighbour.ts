// PreviewNeighbour and SimilarityPreview fields: the neighbour exists (the live index holds it), so `user` needs no
// lookup; sharedInterests reads the neighbour's interests through the request's loader (one query for all of them).
import type { PreviewNeighbourResolvers, SimilarityPreviewResolvers } from '../../../generated/graphql/resolvers';

export const PreviewNeighbour: PreviewNeighbourResolvers = {
  user: (n) => ({ handle: n.handle }),
  handle: (n) => String(n.handle),
  live: () => true,
  sharedInterests: async (n, _args, { loaders }) => {
    const theirs = new Set((await loaders.interests.load(n.handle)).map((t) => t.name));
    return n.asked.filter((t) => theirs.has(t));
  },
};

export const SimilarityPreview: SimilarityPreviewResolvers = {
  live: () => true,
};
