// What each GraphQL object type's resolvers receive as parent (codegen mappers): small values, fields resolved lazily.
import type { ModelName } from '../models';
import type { Neighbour } from '../../domain';
import type { ModelRow, UserPageRow } from '../../graph/api-repository';

export interface UserParent {
  handle: number;
}

export interface SimilarUserParent extends Neighbour {
  /** The user whose neighbour this is. */
  of: number;
  model: ModelName;
  /** The version the score comes from. */
  version: number | null;
  /** Computed on demand (the user arrived after the version), not stored. */
  live: boolean;
}

export type ModelParent = ModelRow;

export interface ReasonParent {
  kind: 'INTEREST' | 'COURSE' | 'COURSE_TAG' | 'ASSESSMENT';
  item: string;
  share: number;
  contribution: number;
}

export interface TagParent {
  name: string;
}

export interface ViewedCourseParent {
  courseId: string;
  level: string | null;
  seconds: number;
  days: number;
}

export interface AssessmentParent {
  tag: string;
  score: number;
  takenAt: string | null;
}

export interface UserConnectionParent {
  rows: UserPageRow[];
  hasNextPage: boolean;
}

/** previewSimilarUsers: the canonical interests asked and the live list they got. */
export interface PreviewParent {
  model: ModelName;
  version: number | null;
  interests: string[];
  unknownInterests: string[];
  neighbours: PreviewNeighbourParent[];
}

export interface PreviewNeighbourParent extends Neighbour {
  /** The canonical interests of the hypothetical user, to tell which this neighbour shares. */
  asked: readonly string[];
}
