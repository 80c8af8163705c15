// Field parsers for the four tables: each returns the typed value, or undefined when the text does not fit.
// Callers turn undefined into a rejection that names the column, what was expected and what arrived.
// They read character codes rather than run regular expressions: they run once per field of every row.
import { type Level, LEVELS } from '../domain';

const LEVEL_BY_TEXT = new Map<string, Level>(LEVELS.flatMap((l) => [[l, l] as const, [l.toLowerCase(), l] as const]));

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const ZERO = 48;
const NINE = 57;

/** The number written by the digits text[from..to), or -1 when one of them is not a digit. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) return -1;
    n = n * 10 + (c - ZERO);
  }
  return n;
}

/** A non-negative integer written in decimal digits (handles, scores). */
export function parseCount(text: string): number | undefined {
  if (text.length === 0 || text.length > 15) return undefined;
  const n = digits(text, 0, text.length);
  return n < 0 ? undefined : n;
}

/** Any integer, sign allowed, so that a negative one can be told apart from text that is not a number. */
export function parseSignedInt(text: string): number | undefined {
  const c = text.charCodeAt(0);
  if (c === 45 /* - */ || c === 43 /* + */) {
    const n = parseCount(text.slice(1));
    return n === undefined ? undefined : c === 45 ? -n : n;
  }
  return parseCount(text);
}

function validDate(text: string): boolean {
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return false;
  const y = digits(text, 0, 4);
  const m = digits(text, 5, 7);
  const d = digits(text, 8, 10);
  if (y < 0 || m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 && leap ? 29 : (DAYS_IN_MONTH[m - 1] ?? 0));
}

/** A calendar date `YYYY-MM-DD`, returned as written. */
export function parseDate(text: string): string | undefined {
  return text.length === 10 && validDate(text) ? text : undefined;
}

/** A local date-time `YYYY-MM-DD HH:MM:SS` (or with `T`), returned in ISO form `YYYY-MM-DDTHH:MM:SS`. */
export function parseDateTime(text: string): string | undefined {
  if (text.length !== 19 || !validDate(text)) return undefined;
  const sep = text.charCodeAt(10);
  if ((sep !== 32 && sep !== 84) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const h = digits(text, 11, 13);
  const min = digits(text, 14, 16);
  const s = digits(text, 17, 19);
  if (h < 0 || h > 23 || min < 0 || min > 59 || s < 0 || s > 59) return undefined;
  return sep === 84 ? text : `${text.slice(0, 10)}T${text.slice(11)}`;
}

/** A course level, any letter case, in its canonical spelling. */
export function parseLevel(text: string): Level | undefined {
  return LEVEL_BY_TEXT.get(text) ?? LEVEL_BY_TEXT.get(text.toLowerCase());
}
