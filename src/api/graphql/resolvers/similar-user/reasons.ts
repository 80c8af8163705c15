// SimilarUser.reasons: the shared items behind a match, computed from both users' items (see src/api/reasons.ts).
import type { SimilarUserResolvers } from '../../../../generated/graphql/resolvers';
import { parseLimit } from '../../../models';
import { explainMatch, kindsOf, type ProfileItem } from '../../../reasons';
import type { Loaders } from '../../loaders';

async function profile(loaders: Loaders, handle: number, kinds: readonly string[]): Promise<ProfileItem[]> {
  const [interests, views, assessments] = await Promise.all([
    kinds.includes('INTEREST') ? loaders.interests.load(handle) : [],
    kinds.includes('COURSE') ? loaders.viewedCourses.load(handle) : [],
    kinds.includes('ASSESSMENT') ? loaders.assessments.load(handle) : [],
  ]);
  return [
    ...interests.map((t): ProfileItem => ({ kind: 'INTEREST', item: t.name, tf: 1, df: t.df })),
    ...views.map((v): ProfileItem => ({ kind: 'COURSE', item: v.courseId, tf: v.seconds, df: v.df })),
    ...assessments.map((a): ProfileItem => ({ kind: 'ASSESSMENT', item: a.tag, tf: a.score, df: a.df })),
  ];
}

export const reasons: NonNullable<SimilarUserResolvers['reasons']> = async (s, args, { loaders }) => {
  const limit = parseLimit(args.limit, 'reasons(limit)', 5, 50);
  const kinds = kindsOf(s.model);
  const [a, b, n] = await Promise.all([
    profile(loaders, s.of, kinds),
    profile(loaders, s.handle, kinds),
    loaders.userCount(),
  ]);
  return explainMatch(s.model, a, b, n, s.score, limit);
};
