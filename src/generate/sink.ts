// A buffered, back-pressured file writer, plain or gzip: rows are appended as strings and flushed in
// large chunks, so memory stays flat however many rows pass through.
import fs from 'node:fs';
import { once } from 'node:events';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';

const CHUNK = 1 << 20;

export class Sink {
  readonly path: string;
  rows = 0;
  private buffer: string[] = [];
  private buffered = 0;
  private readonly input: PassThrough;
  private readonly done: Promise<void>;

  constructor(path: string, gzip: boolean) {
    this.path = path;
    this.input = new PassThrough({ highWaterMark: 4 * CHUNK });
    const out = fs.createWriteStream(path);
    this.done = gzip ? pipeline(this.input, zlib.createGzip({ level: 6 }), out) : pipeline(this.input, out);
    // Errors surface through `done` in close(); keep them from being reported as unhandled meanwhile.
    this.done.catch(() => undefined);
  }

  /** Appends text (whole rows); resolves at once unless the file is behind. */
  async write(text: string, rows = 0): Promise<void> {
    this.rows += rows;
    if (text.length === 0) return;
    this.buffer.push(text);
    this.buffered += text.length;
    if (this.buffered >= CHUNK) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffered === 0) return;
    const text = this.buffer.join('');
    this.buffer = [];
    this.buffered = 0;
    if (!this.input.write(text)) await Promise.race([once(this.input, 'drain'), this.done]);
  }

  async close(): Promise<void> {
    await this.flush();
    this.input.end();
    await this.done;
  }
}
