// Stops the Neo4j that global-setup started (never one the developer pointed the tests at).
import fs from 'node:fs';
import { DEFAULT_NEO4J_VERSION } from '../../src/config';
import { LocalNeo4jServer } from '../../src/localdb/server';

export default async function globalTeardown(): Promise<void> {
  const home = process.env.TEST_NEO4J_HOME;
  if (process.env.TEST_NEO4J_OWNED !== '1' || home === undefined) return;
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
}
