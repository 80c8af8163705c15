// Output for long work: a live line on a terminal, plain periodic lines when output is not a terminal; structured
// (pino) logs for the API server.
import pino, { type Logger as PinoLogger } from 'pino';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

export const consoleLogger: Logger = {
  info: (m) => process.stderr.write(`${m}\n`),
  warn: (m) => process.stderr.write(`warning: ${m}\n`),
};

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined };

export interface Progress {
  /** Adds to the done count and redraws at most a few times a second. */
  tick(n?: number): void;
  set(done: number): void;
  /** Prints the final line. */
  done(extra?: string): void;
}

export interface ProgressOptions {
  label: string;
  total?: number | undefined;
  unit?: string;
  stream?: NodeJS.WriteStream;
  /** Plain-line interval when not on a terminal, in ms. */
  plainEveryMs?: number;
}

function rate(done: number, ms: number): string {
  const perSec = ms > 0 ? (done * 1000) / ms : 0;
  return perSec >= 1000 ? `${Math.round(perSec).toLocaleString('en-US')}/s` : `${perSec.toFixed(1)}/s`;
}

export function progress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const unit = opts.unit ?? 'rows';
  const started = Date.now();
  const plainEvery = opts.plainEveryMs ?? 5000;
  let done = 0;
  let lastDraw = 0;
  const line = () => {
    const ms = Date.now() - started;
    const of = opts.total !== undefined ? ` / ${opts.total.toLocaleString('en-US')}` : '';
    const pct = opts.total !== undefined && opts.total > 0 ? ` (${((100 * done) / opts.total).toFixed(0)}%)` : '';
    return `${opts.label}: ${done.toLocaleString('en-US')}${of} ${unit}${pct}, ${rate(done, ms)}, ${(ms / 1000).toFixed(1)} s`;
  };
  const draw = (force: boolean) => {
    const now = Date.now();
    if (tty) {
      if (!force && now - lastDraw < 200) return;
      stream.write(`\r\x1b[2K${line()}`);
    } else {
      if (!force && now - lastDraw < plainEvery) return;
      stream.write(`${line()}\n`);
    }
    lastDraw = now;
  };
  return {
    tick(n = 1) {
      done += n;
      draw(false);
    },
    set(value) {
      done = value;
      draw(false);
    },
    done(extra) {
      const text = `${line()}${extra !== undefined ? `, ${extra}` : ''}`;
      stream.write(tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
    },
  };
}

/** Structured logs (pino) for the API server: JSON lines, or readable lines on a terminal when pino-pretty is there. */
export interface StructuredLogOptions {
  /** Readable lines (pino-pretty, a dev dependency) instead of JSON; ignored when pino-pretty is not installed. */
  pretty: boolean;
  level?: string;
  /** Where JSON lines go (default stderr); tests pass a stream to read them. */
  stream?: NodeJS.WritableStream;
}

function hasPinoPretty(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export function structuredLog(opts: StructuredLogOptions): PinoLogger {
  const level = opts.level ?? 'info';
  if (opts.pretty && opts.stream === undefined && hasPinoPretty()) {
    return pino({
      level,
      transport: { target: 'pino-pretty', options: { destination: 2, translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino({ level }, (opts.stream as pino.DestinationStream | undefined) ?? pino.destination(2));
}

/** The Logger interface over a pino logger, for code that logs plain messages. */
export function pinoLogger(log: PinoLogger): Logger {
  return { info: (m) => log.info(m), warn: (m) => log.warn(m) };
}
