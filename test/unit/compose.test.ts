// docker-compose.yml must be accepted by Compose (validation needs no Docker engine).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config';

test('docker-compose config accepts the compose file, with Neo4j 5.26 community and the app', () => {
  const res = spawnSync('docker-compose', ['-f', path.join(PROJECT_ROOT, 'docker-compose.yml'), 'config'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  if (res.error !== undefined) {
    throw new Error(
      `docker-compose is needed to validate docker-compose.yml (apt-get install docker-compose): ${res.error.message}`,
    );
  }
  expect(res.stderr).not.toMatch(/error/i);
  expect(res.status).toBe(0);
  expect(res.stdout).toMatch(/image: neo4j:5\.26-community/);
  expect(res.stdout).toMatch(/healthcheck:/);
  expect(res.stdout).toMatch(/NEO4J_URI: bolt:\/\/neo4j:7687/);
});
