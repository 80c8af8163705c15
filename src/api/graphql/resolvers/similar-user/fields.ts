// SimilarUser fields; the neighbour is known to exist (the edge points at it), so `user` needs no lookup.
import type { SimilarUserResolvers } from '../../../../generated/graphql/resolvers';

export const user: NonNullable<SimilarUserResolvers['user']> = (s) => ({ handle: s.handle });
export const handle: NonNullable<SimilarUserResolvers['handle']> = (s) => String(s.handle);
