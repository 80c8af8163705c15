// Stops the Neo4j servers that global-setup started (never one the developer pointed the tests at).
import fs from 'node:fs';
import { DEFAULT_NEO4J_VERSION } from '../../src/config';
import { LocalNeo4jServer } from '../../src/localdb/server';

export default async function globalTeardown(): Promise<void> {
  if (process.env.TEST_NEO4J_OWNED !== '1') return;
  const workers = Number(process.env.TEST_NEO4J_WORKERS ?? 0);
  const homes = Array.from({ length: workers }, (_x, i) => process.env[`TEST_NEO4J_HOME_${i + 1}`]).filter(
    (h): h is string => h !== undefined,
  );
  await Promise.all(
    homes.map(async (home) => {
      const server = new LocalNeo4jServer({
        home,
        libDir: '',
        version: DEFAULT_NEO4J_VERSION,
        boltPort: 0,
        httpPort: 0,
        heap: '1g',
        pagecache: '256m',
        javaHome: undefined,
      });
      await server.stop();
      if (process.env.KEEP_TEST_NEO4J !== '1') fs.rmSync(home, { recursive: true, force: true });
    }),
  );
}
