// docker-compose.yml must be accepted by Compose (validation needs no Docker engine).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config';

function composeConfig(env: Record<string, string>) {
  return spawnSync('docker-compose', ['-f', path.join(PROJECT_ROOT, 'docker-compose.yml'), 'config'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  });
}

test('docker-compose config accepts the compose file, with Neo4j 5.26 community and the app', () => {
  const res = composeConfig({ NEO4J_PASSWORD: 'compose-test-pw' });
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

test('docker-compose refuses to run without NEO4J_PASSWORD: no password ships with the project', () => {
  const res = composeConfig({});
  expect(res.status).not.toBe(0);
  expect(`${res.stdout}${res.stderr}`).toMatch(/set NEO4J_PASSWORD/);
  expect(composeConfig({ NEO4J_PASSWORD: 'compose-test-pw' }).stdout).not.toMatch(/similar-users-local/);
});

test('.env.example and the compose file ship no password', () => {
  const example = fs.readFileSync(path.join(PROJECT_ROOT, '.env.example'), 'utf8');
  expect(example).not.toMatch(/^NEO4J_PASSWORD=\S/m);
  expect(fs.readFileSync(path.join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8')).not.toMatch(/NEO4J_PASSWORD:-/);
});
