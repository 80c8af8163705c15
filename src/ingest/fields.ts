// Field parsers for the four tables: each returns the typed value, or undefined when the text does not fit.
// Callers turn undefined into a rejection that names the column, what was expected and what arrived.

const INT = /^[0-9]{1,15}$/;
const SIGNED_INT = /^[+-]?[0-9]{1,15}$/;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const DATE_TIME = /^([0-9]{4})-([0-9]{2})-([0-9]{2})[ T]([0-9]{2}):([0-9]{2}):([0-9]{2})$/;

export const LEVELS = ['Beginner', 'Intermediate', 'Advanced'] as const;
export type Level = (typeof LEVELS)[number];
const LEVEL_BY_LOWER = new Map<string, Level>(LEVELS.map((l) => [l.toLowerCase(), l]));

/** A non-negative integer written in decimal digits (handles, scores). */
export function parseCount(text: string): number | undefined {
  return INT.test(text) ? Number(text) : undefined;
}

/** Any integer, sign allowed, so that a negative one can be told apart from text that is not a number. */
export function parseSignedInt(text: string): number | undefined {
  return SIGNED_INT.test(text) ? Number(text) : undefined;
}

function validDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/** A calendar date `YYYY-MM-DD`, returned as written. */
export function parseDate(text: string): string | undefined {
  const m = DATE.exec(text);
  if (m === null) return undefined;
  return validDay(Number(m[1]), Number(m[2]), Number(m[3])) ? text : undefined;
}

/** A local date-time `YYYY-MM-DD HH:MM:SS` (or with `T`), returned in ISO form `YYYY-MM-DDTHH:MM:SS`. */
export function parseDateTime(text: string): string | undefined {
  const m = DATE_TIME.exec(text);
  if (m === null) return undefined;
  if (!validDay(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
}

/** A course level, any letter case, in its canonical spelling. */
export function parseLevel(text: string): Level | undefined {
  return LEVEL_BY_LOWER.get(text.toLowerCase());
}
