// Bearer tokens (METRICS_TOKEN, ADMIN_TOKEN): compared in constant time, by their hashes, so neither the content nor
// the length of a wrong guess changes how long the comparison takes.
import crypto from 'node:crypto';

/** 200 when `authorization` is `Bearer <token>`, 401 when it carries no bearer token, 403 when it carries another. */
export function bearerAccess(token: string, authorization: string | undefined): 200 | 401 | 403 {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (m === null) return 401;
  const given = crypto.createHash('sha256').update(m[1]!).digest();
  const expected = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(given, expected) ? 200 : 403;
}
