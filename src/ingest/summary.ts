// The import summary: a per-file table that reconciles rows read with rows imported, duplicate and rejected.
import { table } from '../text-table';
import type { FileReport, ImportReport } from './importer';

const n = (v: number) => v.toLocaleString('en-US');

/** True when every row read is accounted for. */
export function reconciles(f: Pick<FileReport, 'read' | 'imported' | 'duplicates' | 'rejected'>): boolean {
  return f.read === f.imported + f.duplicates + f.rejected;
}

/** The summary printed at the end of an import. */
export function formatReport(r: ImportReport): string {
  const total = r.files.reduce(
    (t, f) => ({
      read: t.read + f.read,
      imported: t.imported + f.imported,
      duplicates: t.duplicates + f.duplicates,
      rejected: t.rejected + f.rejected,
    }),
    { read: 0, imported: 0, duplicates: 0, rejected: 0 },
  );
  const rate = (rows: number, s: number) => (s > 0 ? n(Math.round(rows / s)) : '-');
  const rows = r.files.map((f) => [
    f.file,
    n(f.read),
    n(f.imported),
    n(f.duplicates),
    n(f.rejected),
    reconciles(f) ? 'yes' : 'NO',
    f.seconds.toFixed(1),
    rate(f.read, f.seconds),
  ]);
  rows.push([
    'all files',
    n(total.read),
    n(total.imported),
    n(total.duplicates),
    n(total.rejected),
    reconciles(total) ? 'yes' : 'NO',
    r.seconds.toFixed(1),
    rate(total.read, r.seconds),
  ]);
  const out = [
    table(['file', 'rows read', 'imported', 'duplicates', 'rejected', 'reconciled', 'seconds', 'rows/s'], rows),
    '(rows read = imported + duplicates + rejected; header and blank lines are not rows)',
  ];
  for (const f of r.files) {
    if (f.blankTags > 0) {
      out.push(
        `${f.file}: ${n(f.blankTags)} rows have a blank tag: those courses are imported without a tag (counted as imported)`,
      );
    }
  }
  out.push(
    r.rejects > 0
      ? `${n(r.rejects)} rejected rows are listed with file, line and reason in ${r.rejectsPath}`
      : `No rows rejected (${r.rejectsPath} holds only its header)`,
  );
  const c = r.counts;
  out.push(
    `Graph now: ${n(c.users)} users, ${n(c.courses)} courses, ${n(c.tags)} tags, ${n(c.authors)} authors; ` +
      `${n(c.viewed)} VIEWED, ${n(c.interested)} INTERESTED_IN, ${n(c.assessed)} ASSESSED, ${n(c.tagged)} TAGGED, ${n(c.authored)} AUTHORED`,
  );
  out.push(
    `Done in ${r.seconds.toFixed(1)} s, ${rate(total.read, r.seconds)} rows/s, batches of ${n(r.batchSize)} rows, importer peak RSS ${Math.round(r.peakRssBytes / 2 ** 20)} MiB`,
  );
  return out.join('\n');
}
