// A request id per request (the client's X-Request-Id when it looks sane, else a new one), returned in the
// X-Request-Id header, and one structured log line per request once it is answered: status and duration.
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger as PinoLogger } from 'pino';

/** Ids accepted from clients: short, printable, no spaces or quotes (they end up in logs and headers). */
const SANE_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_ID.test(header) ? header : crypto.randomUUID();
}

/** The request id of a request, once the middleware ran. */
export function requestId(res: Response): string | undefined {
  return res.locals.requestId as string | undefined;
}

export function requestLog(log: PinoLogger | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const id = requestIdOf(req.headers['x-request-id']);
    res.locals.requestId = id;
    res.set('X-Request-Id', id);
    if (log !== undefined) {
      const started = process.hrtime.bigint();
      const path = req.path;
      res.once('finish', () => {
        const operation = res.locals.operation as string | undefined;
        const line = {
          reqId: id,
          method: req.method,
          path,
          status: res.statusCode,
          durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
          ...(operation !== undefined ? { operation } : {}),
        };
        if (res.statusCode >= 500) log.warn(line, 'request');
        else log.info(line, 'request');
      });
    }
    next();
  };
}
