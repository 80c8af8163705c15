// Query.previewSimilarUsers: a hypothetical user's live neighbours from a few chosen interests; nothing is written.
import type { QueryResolvers } from '../../../../generated/graphql/resolvers';
import { badInput } from '../../../../errors';
import { canonicalTag } from '../../../../tags';
import { answersLive } from '../../../live';
import { DEFAULT_LIMIT, MAX_LIMIT, ModelName, parseLimit } from '../../../models';

/** Interests a preview takes at most: a few chosen tags, not a profile. */
export const MAX_PREVIEW_INTERESTS = 20;
const MAX_TAG_LENGTH = 256;

/** Canonical tag names in the order given, without repeats; BAD_USER_INPUT for an empty, long or blank list. */
export function previewInterests(raw: readonly string[]): string[] {
  if (raw.length < 1 || raw.length > MAX_PREVIEW_INTERESTS) {
    throw badInput(`interests: expected 1..${MAX_PREVIEW_INTERESTS} tag names, got ${raw.length}`);
  }
  const out: string[] = [];
  for (const [i, name] of raw.entries()) {
    const tag = name.length <= MAX_TAG_LENGTH ? canonicalTag(name) : '';
    if (tag === '') {
      throw badInput(
        `interests[${i}]: expected a tag name of 1..${MAX_TAG_LENGTH} characters with a letter or digit, got ` +
          `${name.length > 40 ? `${name.length} characters` : JSON.stringify(name)}`,
      );
    }
    if (!out.includes(tag)) out.push(tag);
  }
  return out;
}

export const previewSimilarUsers: NonNullable<QueryResolvers['previewSimilarUsers']> = async (
  _parent,
  args,
  { loaders },
) => {
  const interests = previewInterests(args.interests);
  const limit = parseLimit(args.limit, 'limit', DEFAULT_LIMIT, MAX_LIMIT);
  const model = args.model ?? ModelName.INTERESTS;
  if (!answersLive(model)) {
    throw badInput(
      `model: expected INTERESTS, COURSE_VIEWS, ASSESSMENTS or COSINE (a preview weights interests as a version ` +
        `of those models did), got ${String(model).toUpperCase()}`,
    );
  }
  const found = await loaders.preview(interests, model, limit);
  return {
    model,
    version: found?.list.version ?? null,
    interests,
    unknownInterests: found?.unknown ?? [],
    neighbours: (found?.list.neighbours ?? []).map((n) => ({ ...n, asked: interests })),
  };
};
