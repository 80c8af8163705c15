// Explanation inputs from the repository for handles fetched together (used outside GraphQL, e.g. the query command).
import type { ApiRepository } from '../graph/api-repository';
import type { UserItems } from '../jobs/explain';
import type { ModelName } from './models';
import { kindsOf, type ProfileItem } from './reasons';

/** Each handle's items of the kinds the model compares, in the order given; three queries at most. */
export async function loadProfiles(
  repo: ApiRepository,
  handles: readonly number[],
  model: ModelName,
): Promise<ProfileItem[][]> {
  const kinds = kindsOf(model);
  const none = handles.map(() => []);
  const [interests, views, assessments] = await Promise.all([
    kinds.includes('INTEREST') ? repo.interests(handles) : none,
    kinds.includes('COURSE') ? repo.viewedCourses(handles) : none,
    kinds.includes('ASSESSMENT') ? repo.assessments(handles) : none,
  ]);
  return handles.map((_h, i) => [
    ...(interests[i] ?? []).map((t): ProfileItem => ({ kind: 'INTEREST', item: t.name, tf: 1, df: t.df })),
    ...(views[i] ?? []).map((v): ProfileItem => ({ kind: 'COURSE', item: v.courseId, tf: v.seconds, df: v.df })),
    ...(assessments[i] ?? []).map((a): ProfileItem => ({ kind: 'ASSESSMENT', item: a.tag, tf: a.score, df: a.df })),
  ]);
}

/** Each handle's items as the similarity job reads them (for reasons that decompose a score); three queries. */
export async function loadUserItems(repo: ApiRepository, handles: readonly number[]): Promise<UserItems[]> {
  const [interests, views, assessments] = await Promise.all([
    repo.interests(handles),
    repo.viewedCourses(handles),
    repo.assessments(handles),
  ]);
  return handles.map((_h, i) => ({
    interests: (interests[i] ?? []).map((t) => t.name),
    views: (views[i] ?? []).map((v) => ({ course: v.courseId, seconds: v.seconds, tags: v.tags })),
    assessments: (assessments[i] ?? []).map((a) => ({ tag: a.tag, score: a.score })),
  }));
}
