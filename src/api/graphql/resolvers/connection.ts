// UserConnection, UserEdge and PageInfo fields from one page of rows.
import type { UserConnectionResolvers } from '../../../generated/graphql/resolvers';
import { encodeCursor } from '../cursor';

export const UserConnection: UserConnectionResolvers = {
  edges: (page) => page.rows.map((r) => ({ cursor: encodeCursor(r.handle), node: { handle: r.handle } })),
  pageInfo: (page) => {
    const last = page.rows[page.rows.length - 1];
    return { hasNextPage: page.hasNextPage, endCursor: last === undefined ? null : encodeCursor(last.handle) };
  },
  totalCount: (_page, _args, { loaders }) => loaders.userCount(),
};
