// The similarity models as the API names them: GraphQL's SimilarityModel enum maps onto ModelName, whose values are
// the domain's model names (src/domain.ts), checked by the compiler both ways.
import * as domain from '../domain';
import { badInput, describe } from '../errors';

export { DEFAULT_LIMIT, MAX_LIMIT } from '../domain';

export enum ModelName {
  INTERESTS = 'interests',
  COURSE_VIEWS = 'course_views',
  ASSESSMENTS = 'assessments',
  COSINE = 'cosine',
  ALS = 'als',
}

/** True when the enum's values and the domain's names are the same set; the line below fails to compile otherwise. */
type SameNames = [`${ModelName}`] extends [domain.ModelName]
  ? [domain.ModelName] extends [`${ModelName}`]
    ? true
    : false
  : false;
const sameNames: SameNames = true;

/** Every model, in the domain's order. */
export const MODEL_NAMES: readonly ModelName[] = sameNames ? domain.MODEL_NAMES.map((m) => m as ModelName) : [];
/**
 * The model served when a client names none and the graph marks none as default (a graph whose models were
 * computed before runs chose a default): ALS, the best on the real behaviour structure.
 */
export const FALLBACK_MODEL = ModelName.ALS;

/** The model marked default (the best validation recall of the last run) among rows of the models query. */
export function defaultModelOf(
  rows: ReadonlyArray<{ name: string; version: number | null; isDefault: boolean }>,
): ModelName {
  const marked = rows.find((r) => r.isDefault && r.version !== null && isModelName(r.name));
  return marked !== undefined ? (marked.name as ModelName) : FALLBACK_MODEL;
}

/**
 * A stored model name from user input ("cosine", "COSINE", "course-views"), or null when none was given (the
 * caller then serves the default model); BAD_USER_INPUT otherwise.
 */
export function parseModel(value: unknown): ModelName | null {
  if (value === undefined || value === null) return null;
  const text = typeof value === 'string' ? value.trim().toLowerCase().replace(/-/g, '_') : '';
  const hit = MODEL_NAMES.find((m) => String(m) === text);
  if (hit === undefined) {
    throw badInput(`model: expected one of ${MODEL_NAMES.join(', ')}, got ${describe(value)}`);
  }
  return hit;
}

export function isModelName(value: string): value is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(value);
}

/** A user handle from a number or a numeric string; BAD_USER_INPUT otherwise. */
export function parseHandle(value: unknown, field = 'handle'): number {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw badInput(
      `${field}: expected a non-negative integer user handle (number or numeric string), got ${describe(value)}`,
    );
  }
  return n;
}

/** A neighbour count in 1..max from a number or numeric string; the default when absent. */
export function parseLimit(
  value: unknown,
  field = 'limit',
  fallback = domain.DEFAULT_LIMIT,
  max = domain.MAX_LIMIT,
): number {
  if (value === undefined || value === null) return fallback;
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw badInput(`${field}: expected an integer 1..${max}, got ${describe(value)}`);
  }
  return n;
}
