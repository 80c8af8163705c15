// SimilarUser.reasons and reasonsExact: the shared items behind a match (see src/api/reasons.ts). Cosine-family
// models decompose the stored score with the version's weighting; ALS (or a version stored without its weighting)
// gets the indicative TF-IDF ranking of shared items.
import type { SimilarUserResolvers } from '../../../../generated/graphql/resolvers';
import type { UserItems } from '../../../../jobs/explain';
import { ModelName, parseLimit } from '../../../models';
import { exactReasons, explainMatch, kindsOf, type ProfileItem } from '../../../reasons';
import type { VersionWeighting } from '../../../weighting';
import type { Loaders } from '../../loaders';
import type { SimilarUserParent } from '../../parents';

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

/** What the similarity job reads of a user, from this request's loaders. */
async function items(loaders: Loaders, handle: number): Promise<UserItems> {
  const [interests, views, assessments] = await Promise.all([
    loaders.interests.load(handle),
    loaders.viewedCourses.load(handle),
    loaders.assessments.load(handle),
  ]);
  return {
    interests: interests.map((t) => t.name),
    views: views.map((v) => ({ course: v.courseId, seconds: v.seconds, tags: v.tags })),
    assessments: assessments.map((a) => ({ tag: a.tag, score: a.score })),
  };
}

/** The weighting of the version that scored this match, when the model decomposes (not ALS) and it is stored. */
async function exactWeighting(s: SimilarUserParent, loaders: Loaders): Promise<VersionWeighting | null> {
  if (s.model === ModelName.ALS) return null;
  const w = await loaders.weighting(s.model);
  return w !== null && w.version === s.version ? w : null;
}

export const reasons: NonNullable<SimilarUserResolvers['reasons']> = async (s, args, { loaders }) => {
  const limit = parseLimit(args.limit, 'reasons(limit)', 5, 50);
  const w = await exactWeighting(s, loaders);
  if (w !== null && s.model !== ModelName.ALS) {
    const [a, b] = await Promise.all([items(loaders, s.of), items(loaders, s.handle)]);
    return exactReasons(s.model, w, a, b, limit);
  }
  const kinds = kindsOf(s.model);
  const [a, b, n] = await Promise.all([
    profile(loaders, s.of, kinds),
    profile(loaders, s.handle, kinds),
    loaders.userCount(),
  ]);
  return explainMatch(s.model, a, b, n, s.score, limit);
};

export const reasonsExact: NonNullable<SimilarUserResolvers['reasonsExact']> = async (s, _args, { loaders }) =>
  (await exactWeighting(s, loaders)) !== null;
