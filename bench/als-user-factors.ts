// `npm run bench -- als-user-factors [--users 100000,1000000] [--factors 64] [--runs 3]`: what storing a sharded
// run's ALS user factors costs (src/jobs/run-plan.ts): the size, and the time to write them once (the deciding
// shard) and to read and decode them (every other shard), in 4 MiB chunks, against the configured Neo4j. Seeded
// random factors stand in for trained ones (the cost does not depend on the values); everything written is deleted.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { openGraph } from '../src/graph/connect';
import { SimilarityRepository } from '../src/graph/similarity-repository';
import { USER_FACTOR_CHUNK_BYTES, userFactorChunks, userFactorsFromChunks } from '../src/jobs/run-plan';
import { silentLogger } from '../src/log';
import { seededRandom } from '../src/similarity/als';
import { table } from '../src/text-table';
import { median } from './_stats';

const MODEL = 'bench-als-user-factors';

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { users: { type: 'string' }, factors: { type: 'string' }, runs: { type: 'string' } },
  });
  const sizes = (values.users ?? '100000,1000000').split(',').map(Number);
  const factors = Number(values.factors ?? 64);
  const runs = Number(values.runs ?? 3);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !(factors >= 1) || !(runs >= 1)) {
    process.stderr.write(
      `expected --users N[,N...] (integers >= 1), --factors >= 1, --runs >= 1, got "${values.users}", "${values.factors}", "${values.runs}"\n`,
    );
    return 2;
  }
  const config = loadConfig();
  const graph = await openGraph(config, { schema: true, log: silentLogger });
  const repo = new SimilarityRepository(graph);
  const rows: string[][] = [];
  try {
    for (const users of sizes) {
      const random = seededRandom(users);
      const data = new Float32Array(users * factors);
      for (let i = 0; i < data.length; i++) data[i] = random() - 0.5;
      const matrix = { rows: users, cols: factors, data };
      const write: number[] = [];
      const read: number[] = [];
      let chunks = 0;
      let base64 = 0;
      for (let run = 0; run < runs; run++) {
        await repo.deleteAlsUserFactors(MODEL, 1);
        let t = performance.now();
        const stored = userFactorChunks(matrix, USER_FACTOR_CHUNK_BYTES);
        await repo.writeAlsUserFactors(MODEL, 1, stored);
        write.push((performance.now() - t) / 1000);
        chunks = stored.length;
        base64 = stored.reduce((a, c) => a + c.data.length, 0);
        t = performance.now();
        const back = userFactorsFromChunks(await repo.alsUserFactors(MODEL, 1), users, factors, 'bench');
        read.push((performance.now() - t) / 1000);
        if (Buffer.compare(Buffer.from(back.data.buffer), Buffer.from(data.buffer)) !== 0) {
          throw new Error(`expected the factors read back to equal those written, but they differ (${users} users)`);
        }
      }
      await repo.deleteAlsUserFactors(MODEL, 1);
      rows.push([
        users.toLocaleString('en-US'),
        String(factors),
        ((users * factors * 4) / 2 ** 20).toFixed(1),
        (base64 / 2 ** 20).toFixed(1),
        String(chunks),
        median(write).toFixed(1),
        median(read).toFixed(1),
      ]);
    }
  } finally {
    await repo.deleteAlsUserFactors(MODEL, 1).catch(() => 0);
    await graph.close();
  }
  const cpus = os.cpus();
  process.stdout.write(
    `machine: ${cpus.length} x ${cpus[0]?.model ?? '?'}, node ${process.version}; neo4j ${config.neo4j.uri}; ` +
      `chunks of ${USER_FACTOR_CHUNK_BYTES / 2 ** 20} MiB raw; median of ${runs} run(s)\n` +
      table(
        [
          'users',
          'factors',
          'raw MiB',
          'base64 MiB',
          'chunks',
          'write s (once per run)',
          'read + decode s (per shard)',
        ],
        rows,
      ) +
      '\n',
  );
  return 0;
}
