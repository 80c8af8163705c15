// The rejects file: one CSV line per record that was not imported, with file, line, reason and the row itself.
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';

export interface RejectEntry {
  file: string;
  line: number;
  reason: string;
  row: string;
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The fields of a record written back as one CSV row, for the rejects file. */
export function csvRow(fields: readonly string[]): string {
  return fields.map(csvField).join(',');
}

/** Where rejects go by default: beside the data when that folder is writable, else ./rejects/. */
export function defaultRejectsPath(dataDir: string, now = new Date()): string {
  try {
    fs.accessSync(dataDir, fs.constants.W_OK);
    return path.join(dataDir, 'import-rejects.csv');
  } catch {
    const stamp = now.toISOString().replace(/[:.]/g, '-');
    return path.resolve('rejects', `import-rejects-${stamp}.csv`);
  }
}

export class RejectsWriter {
  count = 0;
  private readonly out: fs.WriteStream;

  private constructor(readonly path: string) {
    this.out = fs.createWriteStream(path);
    this.out.write('file,line,reason,row\n');
  }

  /** Creates (or empties) the rejects file. */
  static create(file: string): RejectsWriter {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return new RejectsWriter(file);
  }

  /** Appends one entry; returns a promise to wait on when the file cannot keep up, so memory stays bounded. */
  add(e: RejectEntry): Promise<void> | undefined {
    this.count++;
    const ok = this.out.write(`${csvField(e.file)},${e.line},${csvField(e.reason)},${csvField(e.row)}\n`);
    return ok ? undefined : once(this.out, 'drain').then(() => undefined);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
