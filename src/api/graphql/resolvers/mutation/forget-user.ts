// Mutation.forgetUser (present only with ADMIN_TOKEN): the token is checked before the handle, so a caller without
// it learns nothing, not even whether the handle is well formed.
import type { MutationResolvers } from '../../../../generated/graphql/resolvers';
import { AppError } from '../../../../errors';
import { parseHandle } from '../../../models';

export const forgetUser: NonNullable<MutationResolvers['forgetUser']> = async (_parent, args, { admin }) => {
  if (admin === undefined) {
    throw new AppError('INTERNAL', 'expected admin operations on a server with ADMIN_TOKEN, got none configured');
  }
  admin.operations.authorize(admin.authorization);
  return admin.operations.forget(parseHandle(args.handle));
};
