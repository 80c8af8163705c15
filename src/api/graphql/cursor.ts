// Opaque cursors for Query.users: base64url of "user:<handle>".
import { badInput, describe } from '../../errors';

export function encodeCursor(handle: number): string {
  return Buffer.from(`user:${handle}`).toString('base64url');
}

/** The handle inside a cursor; BAD_USER_INPUT for anything that is not one of ours. */
export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^user:(\d+)$/.exec(text);
  const n = m === null ? NaN : Number(m[1]);
  if (!Number.isSafeInteger(n)) {
    throw badInput(`after: expected an endCursor from a previous page, got ${describe(cursor)}`);
  }
  return n;
}
