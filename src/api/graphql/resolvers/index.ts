// The resolver map, typed by the generated Resolvers; each field's logic lives in its own small module.
import type { Resolvers } from '../../../generated/graphql/resolvers';
import { ModelName } from '../../models';
import { UserConnection } from './connection';
import { forgetUser } from './mutation/forget-user';
import { models } from './query/models';
import { previewSimilarUsers } from './query/preview-similar-users';
import { PreviewNeighbour, SimilarityPreview } from './preview-neighbour';
import { user } from './query/user';
import { users } from './query/users';
import { JSONScalar } from './scalars';
import * as similarUser from './similar-user/fields';
import { reasons, reasonsExact } from './similar-user/reasons';
import * as userFields from './user/fields';
import { similarUsers } from './user/similar-users';

/** The resolvers of the queries every server answers. */
export const resolvers: Resolvers = {
  JSON: JSONScalar,
  SimilarityModel: {
    INTERESTS: ModelName.INTERESTS,
    COURSE_VIEWS: ModelName.COURSE_VIEWS,
    ASSESSMENTS: ModelName.ASSESSMENTS,
    COSINE: ModelName.COSINE,
    ALS: ModelName.ALS,
  },
  Query: { user, users, models, previewSimilarUsers },
  User: { ...userFields, similarUsers },
  SimilarUser: { ...similarUser, reasons, reasonsExact },
  UserConnection,
  PreviewNeighbour,
  SimilarityPreview,
  ModelInfo: {
    name: (m) => m.name as ModelName,
    default: (m) => m.isDefault,
  },
  Assessment: {
    tag: (a) => ({ name: a.tag }),
  },
};

/** With ADMIN_TOKEN set: the operators' mutations too (schema/admin.graphql). */
export const adminResolvers: Resolvers = {
  ...resolvers,
  Mutation: { forgetUser },
};
