// Query.user: null for an unknown handle (not an error), BAD_USER_INPUT for a non-numeric one.
import { getArgumentValues, isObjectType, Kind, type GraphQLResolveInfo } from 'graphql';
import type { QueryResolvers } from '../../../../generated/graphql/resolvers';
import { AppError } from '../../../../errors';
import { DEFAULT_LIMIT, MAX_LIMIT, parseHandle, parseLimit, type ModelName } from '../../../models';

/**
 * The arguments of a `similarUsers` selected directly under this field, if any. Looking ahead lets one query
 * answer both "does the user exist" and "who are the neighbours" (the neighbours query reports existence).
 */
function similarUsersAhead(info: GraphQLResolveInfo): { model: ModelName | null; limit: number } | undefined {
  const userType = info.schema.getType('User');
  const def = isObjectType(userType) ? userType.getFields().similarUsers : undefined;
  if (def === undefined) return undefined;
  for (const node of info.fieldNodes) {
    for (const sel of node.selectionSet?.selections ?? []) {
      if (sel.kind !== Kind.FIELD || sel.name.value !== 'similarUsers' || (sel.directives?.length ?? 0) > 0) continue;
      const args = getArgumentValues(def, sel, info.variableValues) as { model?: ModelName | null; limit: unknown };
      try {
        return { model: args.model ?? null, limit: parseLimit(args.limit, 'limit', DEFAULT_LIMIT, MAX_LIMIT) };
      } catch (err) {
        // The field's own resolver reports bad arguments with its path.
        if (err instanceof AppError) return undefined;
        throw err;
      }
    }
  }
  return undefined;
}

export const user: NonNullable<QueryResolvers['user']> = async (_parent, args, { loaders }, info) => {
  const handle = parseHandle(args.handle);
  const ahead = similarUsersAhead(info);
  if (ahead !== undefined) {
    // Primes the loader: User.similarUsers with the same arguments reads from this request's cache.
    const model = ahead.model ?? (await loaders.defaultModel());
    const list = await loaders.neighbours.load({ handle, model, limit: ahead.limit });
    return list.found ? { handle } : null;
  }
  return (await loaders.userExists.load(handle)) ? { handle } : null;
};
