// `npm run bench -- live-scale --users 1000000`: what an on-demand (live) answer costs the API at a given size,
// without Neo4j: the index the API keeps per version (every user's weighted row, transposed), built from the
// generated data set's signals, and the scoring of one user against everyone. The reads of a live answer (the
// user's own rows, a few index seeks) do not grow with the users; `npm run bench -- live` measures them at 10,000
// through the API.
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { UserItems } from '../src/jobs/explain';
import { LiveIndex } from '../src/jobs/live';
import { defaultParams, freezeWeighting, weightedMatrix } from '../src/jobs/models';
import type { Signals } from '../src/jobs/signals';
import { seededRandom } from '../src/similarity/als';
import { loadSignals } from './_csv-signals';
import { ensureSignals } from './sparse-ann';

const USAGE =
  'npm run bench -- live-scale [--users 1000000] [--model cosine,interests,course_views,assessments] [--sample 300]\n' +
  '  Uses bench/out/data-<users> (generated once, seed 1, with its binary signals, as the sparse-ann bench makes it).';

const MODELS = ['cosine', 'interests', 'course_views', 'assessments'] as const;
type LiveModel = (typeof MODELS)[number];

const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const mib = (bytes: number) => Math.round(bytes / 2 ** 20).toLocaleString('en-US');

/** A user's items as the API reads them, from the signals' rows (the user as a newcomer with the same rows). */
function itemsOf(s: Signals, row: number): UserItems {
  const names = (m: Signals['interests'], dict: readonly string[]) =>
    m === undefined ? [] : Array.from(m.indices.subarray(m.indptr[row], m.indptr[row + 1]), (c) => dict[c]!);
  const tagsOf = (course: number): string[] => {
    const ct = s.courseTags;
    if (ct === undefined || course >= ct.rows) return [];
    return Array.from(ct.indices.subarray(ct.indptr[course], ct.indptr[course + 1]), (t) => s.tags.names[t]!);
  };
  const views: Array<{ course: string; seconds: number; tags: string[] }> = [];
  if (s.views !== undefined) {
    for (let p = s.views.indptr[row]!; p < s.views.indptr[row + 1]!; p++) {
      const c = s.views.indices[p]!;
      views.push({ course: s.courses.names[c]!, seconds: s.views.data[p]!, tags: tagsOf(c) });
    }
  }
  const assessments: Array<{ tag: string; score: number }> = [];
  if (s.assessments !== undefined) {
    for (let p = s.assessments.indptr[row]!; p < s.assessments.indptr[row + 1]!; p++) {
      assessments.push({ tag: s.tags.names[s.assessments.indices[p]!]!, score: s.assessments.data[p]! });
    }
  }
  return { interests: names(s.interests, s.tags.names), views, assessments };
}

/** Synchronous work: the bench runner wants a promise. */
export function main(argv: string[]): Promise<number> {
  return Promise.resolve(run(argv));
}

function run(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string', default: '1000000' },
      model: { type: 'string', default: MODELS.join(',') },
      sample: { type: 'string', default: '300' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const users = Number(values.users);
  const sample = Number(values.sample);
  const models = values.model.split(',');
  if (!Number.isInteger(users) || users < 100 || !Number.isInteger(sample) || sample < 1) {
    process.stderr.write(`expected --users >= 100 and --sample >= 1, got ${argv.join(' ')}\n${USAGE}\n`);
    return 2;
  }
  const unknown = models.filter((m) => !(MODELS as readonly string[]).includes(m));
  if (unknown.length > 0) {
    process.stderr.write(`expected --model among ${MODELS.join(', ')}, got ${unknown.join(', ')}\n`);
    return 2;
  }
  let t = performance.now();
  const signals = loadSignals(ensureSignals(users));
  const loadS = (performance.now() - t) / 1000;
  process.stdout.write(
    `signals of ${signals.users.size.toLocaleString('en-US')} users read in ${loadS.toFixed(1)} s\n`,
  );
  const params = defaultParams();
  const random = seededRandom(11);
  const rows = Array.from({ length: sample }, () => Math.floor(random() * signals.users.size));
  const lines: string[] = [];
  for (const model of models as LiveModel[]) {
    const rssBefore = process.memoryUsage().rss;
    t = performance.now();
    // The frozen statistics of a full run over these users, as the job stores them with the version.
    const frozen = freezeWeighting(weightedMatrix(model, signals, params).stats, signals);
    const index = new LiveIndex(model, params, frozen, signals);
    const buildS = (performance.now() - t) / 1000;
    const grown = process.memoryUsage().rss - rssBefore;
    const ms: number[] = [];
    let empty = 0;
    for (const row of rows) {
      const items = itemsOf(signals, row);
      const handle = signals.users.handles[row]!;
      const t0 = performance.now();
      // As the API asks: the user itself left out.
      const list = index.neighbours(items, 10, (h) => h === handle);
      ms.push(performance.now() - t0);
      if (list.length === 0) empty++;
    }
    ms.sort((a, b) => a - b);
    lines.push(
      [
        model.padEnd(12),
        buildS.toFixed(1).padStart(7),
        mib(grown).padStart(9),
        String(sample).padStart(6),
        quantile(ms, 0.5).toFixed(1).padStart(6),
        quantile(ms, 0.9).toFixed(1).padStart(6),
        quantile(ms, 0.99).toFixed(1).padStart(6),
        ms[ms.length - 1]!.toFixed(1).padStart(7),
        String(empty).padStart(5),
      ].join('  '),
    );
    process.stdout.write(`${lines[lines.length - 1]}\n`);
  }
  process.stdout.write(
    [
      '',
      `machine: ${os.cpus()[0]?.model ?? '?'} x ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; load average at the end ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
      `data: bench/out/data-${users} (generated, seed 1); ${sample} users sampled (seed 11), each scored as a newcomer with the same rows against all ${signals.users.size.toLocaleString('en-US')} users, top 10`,
      `peak RSS ${mib(process.resourceUsage().maxRSS * 1024)} MiB (signals and every index built so far)`,
      '',
      'model         build s  index MiB  users  p50 ms  p90 ms  p99 ms   max ms  empty',
      '------------  -------  ---------  -----  ------  ------  ------  -------  -----',
      ...lines,
      '',
    ].join('\n'),
  );
  return 0;
}
