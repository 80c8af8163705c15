// Planted communities: how many of each user's top-10 neighbours share the user's planted community, per model and
// for the default a run would choose, on generated data of a given interest signal (--interest-share), over seeds.
// Each data set is generated into a temp folder, loaded in memory (no Neo4j) and evaluated as `npm run evaluate`
// does: models fitted on a validation split of the training part, a 20% hold-out of the views of users with 2+.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generate } from '../src/generate/generate';
import { CALIBRATED_INTEREST_SHARE } from '../src/generate/users';
import { evaluateModels, readCommunities } from '../src/jobs/evaluate';
import { defaultParams, parseModels } from '../src/jobs/models';
import { createPool } from '../src/similarity/pool';
import { loadSignalsFromCsv } from './_csv-signals';

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string' },
      seeds: { type: 'string' },
      'interest-share': { type: 'string' },
      model: { type: 'string' },
      'eval-seed': { type: 'string' },
    },
  });
  const users = Number(values.users ?? 10_000);
  const seeds = (values.seeds ?? '7,23').split(',').map(Number);
  const share = Number(values['interest-share'] ?? CALIBRATED_INTEREST_SHARE);
  const evalSeed = Number(values['eval-seed'] ?? 5);
  if (!(users > 0) || seeds.some((s) => !Number.isInteger(s)) || !(share >= 0 && share <= 1)) {
    process.stderr.write(
      'usage: npm run bench -- communities [--users 10000] [--seeds 7,23] [--interest-share 0..1]\n',
    );
    return 2;
  }
  const models = parseModels(values.model ?? 'all');
  const cpus = os.cpus();
  process.stdout.write(
    `machine: ${cpus.length} x ${cpus[0]?.model ?? '?'}, node ${process.version}; ${users.toLocaleString('en-US')} ` +
      `generated users per seed, interests drawn from the user's communities ${(100 * share).toFixed(0)}% ` +
      `(calibrated: ${(100 * CALIBRATED_INTEREST_SHARE).toFixed(0)}%), courses 80%; hold-out 20% of views, seed ${evalSeed}\n\n`,
  );
  const pool = createPool(2);
  const lines: string[] = [];
  try {
    for (const seed of seeds) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'communities-bench-'));
      try {
        await generate({
          users,
          seed,
          out: dir,
          interestShare: share,
          progress: () => ({ tick: () => undefined, set: () => undefined, done: () => undefined }),
        });
        const { signals } = await loadSignalsFromCsv(dir);
        const communities = readCommunities(path.join(dir, 'communities.csv'), signals.users);
        const e = await evaluateModels(
          signals,
          { models, params: defaultParams(), fraction: 0.2, seed: evalSeed, k: 10, communities },
          pool,
        );
        for (const r of e.rows) {
          if (r.community === undefined) continue;
          const chosen = r.chosen !== undefined ? JSON.stringify(r.chosen) : '';
          lines.push(
            `${String(seed).padEnd(5)} ${(r.name + (r.default === true ? ' (default)' : '')).padEnd(15)} ` +
              `${(100 * r.community).toFixed(1).padStart(8)}%  ${r.recall.toFixed(4).padStart(9)}  ` +
              `${(r.validation?.toFixed(4) ?? '-').padStart(10)}  ${chosen}`,
          );
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await pool.close();
  }
  process.stdout.write(`seed  model            same community  recall@10  validation  fitted\n`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
