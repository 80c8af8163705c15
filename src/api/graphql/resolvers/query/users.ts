// Query.users: a forward page of users ordered by handle (Relay connection); one extra row tells hasNextPage.
import type { QueryResolvers } from '../../../../generated/graphql/resolvers';
import { parseLimit } from '../../../models';
import { decodeCursor } from '../../cursor';

export const MAX_PAGE = 100;

export const users: NonNullable<QueryResolvers['users']> = async (_parent, args, { loaders }) => {
  const first = parseLimit(args.first, 'first', 20, MAX_PAGE);
  const after = args.after === null || args.after === undefined ? -1 : decodeCursor(args.after);
  // Memoised per request: aliases asking the same page cost one query.
  const rows = await loaders.usersPage(after, first + 1);
  return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
};
