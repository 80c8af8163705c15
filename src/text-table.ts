// Plain text tables for the terminal (import summary, similarity and evaluation reports, benchmarks).

/** The first column and those listed in `left` left-aligned, the others (numbers) right-aligned; a rule under the head. */
export function table(head: string[], rows: string[][], left: number[] = []): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
