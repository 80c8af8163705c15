// Generator calibration and speed: generates --users N (default 10,000) with --seed S into a temp folder
// (or measures --dir), then prints target vs generated figures and the community signal.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { measure, neighbourPurity, readCommunities, TARGETS } from '../src/generate/calibration';
import { LEVELS } from '../src/domain';
import { generate } from '../src/generate/generate';
import { signalStrength } from '../src/jobs/evaluate';
import { loadRealStructure } from '../src/jobs/real-structure';
import { createPool } from '../src/similarity/pool';
import { loadSignalsFromCsv } from './_csv-signals';
import { realDegrees } from './_npz';

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string' },
      seed: { type: 'string' },
      dir: { type: 'string' },
      real: { type: 'string' },
      npz: { type: 'string' },
    },
  });
  let dir = values.dir;
  if (dir === undefined) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gen-bench-'));
    if (values.real !== undefined) {
      for (const f of ['course_tags.csv.gz', 'user_assessment_scores.csv.gz'])
        fs.copyFileSync(path.join(values.real, f), path.join(dir, f));
    }
    const s = await generate({
      users: Number(values.users ?? 10000),
      seed: Number(values.seed ?? 1),
      out: dir,
      withReal: values.real !== undefined ? dir : undefined,
    });
    process.stdout.write(
      `generated ${s.users} users in ${s.seconds.toFixed(1)} s into ${dir} (${os.cpus()[0]?.model ?? '?'}, node ${process.version})\n`,
    );
  }
  const m = measure(dir);
  const rows: [string, string | number, string | number][] = [
    ['view rows', TARGETS.viewRows, m.viewRows],
    ['view users', TARGETS.viewUsers, m.viewUsers],
    ['view (user, course) pairs', TARGETS.viewPairs, m.viewPairs],
    ['rows per pair', TARGETS.rowsPerPair, m.rowsPerPair.toFixed(3)],
    ['courses per viewer mean', TARGETS.coursesPerViewer.mean, m.coursesPerViewer.mean.toFixed(2)],
    ['courses per viewer median', TARGETS.coursesPerViewer.p50, m.coursesPerViewer.p50],
    ['courses per viewer p90', TARGETS.coursesPerViewer.p90, m.coursesPerViewer.p90],
    ['courses per viewer p99 / max', '95 / 533', `${m.coursesPerViewer.p99} / ${m.coursesPerViewer.max}`],
    ['seconds per row Q1', TARGETS.secondsPerRow.q1, m.secondsPerRow.q1],
    ['seconds per row median', TARGETS.secondsPerRow.median, m.secondsPerRow.median],
    ['seconds per row Q3', TARGETS.secondsPerRow.q3, m.secondsPerRow.q3],
    ['zero-second rows / pairs', '>0 / 29', `${m.secondsPerRow.zeros} / ${m.zeroPairs}`],
    ['view dates', '2017-05-01..2017-11-28 (212)', `${m.viewDates.min}..${m.viewDates.max} (${m.viewDates.distinct})`],
    ['courses viewed', 5942, m.coursesViewed],
    ['top course viewers', TARGETS.topCourseViewers, m.topCourseViewers],
    ['median course viewers', TARGETS.medianCourseViewers, m.medianCourseViewers],
    ['courses with 1 viewer', 725, m.singleViewerCourses],
    ['authors', 1412, m.authors],
    ['level shares B/I/A (pairs)', '.455/.477/.068', LEVELS.map((l) => (m.levelShares[l] ?? 0).toFixed(3)).join('/')],
    ['interest rows', TARGETS.interestRows, m.interestRows],
    ['interest users', TARGETS.interestUsers, m.interestUsers],
    ['interest exact duplicates', TARGETS.interestDuplicates, m.interestDuplicates],
    ['interest pairs raw / canonical', '~211k', `${m.interestPairsRaw} / ${m.interestPairs}`],
    ['tags per user mean', TARGETS.tagsPerUser.mean, m.tagsPerUser.mean.toFixed(2)],
    ['tags per user median', TARGETS.tagsPerUser.p50, m.tagsPerUser.p50],
    [
      'tags per user p90 / p99 / max',
      '45 / 138 / 646',
      `${m.tagsPerUser.p90} / ${m.tagsPerUser.p99} / ${m.tagsPerUser.max}`,
    ],
    ['distinct interest tags', 748, m.interestTags],
    ['distinct follow timestamps', 12869, m.interestTimestamps],
    [
      'interest dates',
      '2017-06-27..2017-11-19 seen',
      `${m.interestDates.min.slice(0, 10)}..${m.interestDates.max.slice(0, 10)}`,
    ],
  ];
  const purity = neighbourPurity(m, readCommunities(dir));
  rows.push([
    'top-10 cosine neighbours, same community',
    'not known for real data',
    `${(100 * purity.purity).toFixed(1)}% (random ${(100 * purity.random).toFixed(1)}%)`,
  ]);
  const w = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(`${'figure'.padEnd(w)}  ${'target'.padStart(28)}  generated\n`);
  for (const [name, target, got] of rows)
    process.stdout.write(`${name.padEnd(w)}  ${String(target).padStart(28)}  ${got}\n`);

  // Whole degree distributions against the real matrix (user_features_binary.npz), when it is at hand.
  const npz = values.npz ?? path.resolve(__dirname, '../../shared/data/pluralsight/user_features_binary.npz');
  if (fs.existsSync(npz)) {
    const real = realDegrees(npz);
    const viewers = new Map<string, number>();
    for (const set of m.userCourses.values()) for (const c of set) viewers.set(c, (viewers.get(c) ?? 0) + 1);
    const generated = {
      tagsPerUser: [...m.userTags.values()].map((s) => s.size),
      coursesPerViewer: [...m.userCourses.values()].map((s) => s.size),
      viewersPerCourse: [...viewers.values()],
    };
    const qs = [0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1];
    const line = (xs: number[]) => {
      const s = Float64Array.from(xs).sort();
      const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
      return `${qs.map((q) => s[Math.min(s.length - 1, Math.floor(q * s.length))]).join(' ')}  mean ${mean.toFixed(2)}  n ${xs.length}`;
    };
    process.stdout.write(
      `\ndegree quantiles p10 p25 p50 p75 p90 p95 p99 max (real: ${path.basename(npz)}; generated tags are canonical, real ones its 725 clean columns)\n`,
    );
    for (const key of ['tagsPerUser', 'coursesPerViewer', 'viewersPerCourse'] as const) {
      process.stdout.write(`  ${key.padEnd(17)} real       ${line(real[key])}\n`);
      process.stdout.write(`  ${''.padEnd(17)} generated  ${line(generated[key])}\n`);
    }
    // How strongly each signal predicts courses, by the real-structure protocol on both.
    const pool = createPool(2);
    try {
      const rs = await loadRealStructure(npz, 5);
      const realStrength = await signalStrength(rs.signals, rs.split, 5, pool);
      const gen = await signalStrength((await loadSignalsFromCsv(dir)).signals, undefined, 5, pool);
      const ratio = (s: typeof gen) => [s.interests / s.popularity, s.views / s.popularity, s.interests / s.views];
      const [ri, rv, riv] = ratio(realStrength);
      const [gi, gv, giv] = ratio(gen);
      const off = (g: number, r: number) => `${g.toFixed(2)} (${(100 * (g / r - 1)).toFixed(0)}%)`;
      process.stdout.write(
        `\nsignal strength: recall@10 of held-out courses (a fifth of each 5+-course user's, seed 5) from 10 neighbours\n` +
          `  ${'ratio'.padEnd(38)} ${'real'.padStart(6)}  generated (off by)\n` +
          `  ${'interests-only / popularity'.padEnd(38)} ${ri!.toFixed(2).padStart(6)}  ${off(gi!, ri!)}\n` +
          `  ${'views-only / popularity'.padEnd(38)} ${rv!.toFixed(2).padStart(6)}  ${off(gv!, rv!)}\n` +
          `  ${'interests-only / views-only'.padEnd(38)} ${riv!.toFixed(2).padStart(6)}  ${off(giv!, riv!)}\n`,
      );
    } finally {
      await pool.close();
    }
  }
  return 0;
}
