// The domain's words, defined once: model names, the platform's tables and their headers, course levels, and how
// many neighbours a request gets. Every layer (ingest, generate, jobs, api, cli) takes them from here.

/** The similarity models by stored name (`SimilarityModel.name`, `SIMILAR_TO.model`), in the order runs take them. */
export const MODEL_NAMES = ['interests', 'course_views', 'assessments', 'cosine', 'als'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** One entry of a user's neighbour list in a model: who, how similar, and its place (1 = most similar). */
export interface Neighbour {
  handle: number;
  score: number;
  rank: number;
}

/** Neighbours a request gets when it names no limit, and the most it may ask for (REST, GraphQL, `query`). */
export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 100;

/** The platform's four tables, by file name without extension. */
export type TableName = 'course_tags' | 'user_course_views' | 'user_interests' | 'user_assessment_scores';

/** Import order: the catalogue first, so that views find their courses; then the user tables. */
export const TABLE_NAMES: readonly TableName[] = [
  'course_tags',
  'user_course_views',
  'user_interests',
  'user_assessment_scores',
];

/** The header of each table, as the platform writes it (the importer checks it; the generator writes it). */
export const TABLE_HEADERS: Readonly<Record<TableName, readonly string[]>> = {
  course_tags: ['course_id', 'course_tags'],
  user_course_views: ['user_handle', 'view_date', 'course_id', 'author_handle', 'level', 'view_time_seconds'],
  user_interests: ['user_handle', 'interest_tag', 'date_followed'],
  user_assessment_scores: ['user_handle', 'assessment_tag', 'user_assessment_date', 'user_assessment_score'],
};

/** The course levels of the views table. */
export const LEVELS = ['Beginner', 'Intermediate', 'Advanced'] as const;
export type Level = (typeof LEVELS)[number];
