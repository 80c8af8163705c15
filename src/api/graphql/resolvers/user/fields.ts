// User's own fields: each list comes from a per-request loader, so N users cost one query per field.
import type { UserResolvers } from '../../../../generated/graphql/resolvers';

export const handle: NonNullable<UserResolvers['handle']> = (u) => String(u.handle);

export const interests: NonNullable<UserResolvers['interests']> = async (u, _args, { loaders }) =>
  (await loaders.interests.load(u.handle)).map((t) => ({ name: t.name }));

export const viewedCourses: NonNullable<UserResolvers['viewedCourses']> = async (u, _args, { loaders }) =>
  (await loaders.viewedCourses.load(u.handle)).map((v) => ({
    courseId: v.courseId,
    level: v.level,
    seconds: v.seconds,
    days: v.days,
  }));

export const assessments: NonNullable<UserResolvers['assessments']> = async (u, _args, { loaders }) =>
  (await loaders.assessments.load(u.handle)).map((a) => ({ tag: a.tag, score: a.score, takenAt: a.takenAt }));
