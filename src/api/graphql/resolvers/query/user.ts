// Query.user: null for an unknown handle (not an error), BAD_USER_INPUT for a non-numeric one.
import type { QueryResolvers } from '../../../../generated/graphql/resolvers';
import { parseHandle } from '../../../models';

export const user: NonNullable<QueryResolvers['user']> = async (_parent, args, { loaders }) => {
  const handle = parseHandle(args.handle);
  return (await loaders.userExists.load(handle)) ? { handle } : null;
};
