// The CLI's own Neo4j: db:start assembles and starts it, a second start reuses it, data survives a restart.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { loadConfig, PROJECT_ROOT } from '../../src/config';
import { Graph } from '../../src/graph/executor';
import { freePort } from '../../src/localdb/server';

const home = path.join(PROJECT_ROOT, '.neo4j', `it-localdb-${process.pid}`);
let env: NodeJS.ProcessEnv;

function cli(...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'similar-users.js'), ...args], { env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

async function count(): Promise<number> {
  const cfg = loadConfig(env);
  const graph = Graph.connect(cfg.neo4j, cfg.neo4j.password ?? '');
  try {
    const [row] = await graph.read<{ n: number }>('MATCH (m:Marker) RETURN count(m) AS n');
    return row?.n ?? -1;
  } finally {
    await graph.close();
  }
}

beforeAll(async () => {
  env = {
    ...process.env,
    NEO4J_URI: '',
    NEO4J_HOME: home,
    NEO4J_BOLT_PORT: String(await freePort()),
    NEO4J_HTTP_PORT: String(await freePort()),
    NEO4J_PASSWORD: 'localdb-test-pw',
    NEO4J_HEAP: '512m',
    NEO4J_PAGECACHE: '64m',
  };
});

afterAll(async () => {
  await cli('db:stop');
  fs.rmSync(home, { recursive: true, force: true });
});

test('start, reuse, status, stop, restart with data kept', async () => {
  const first = await cli('db:start');
  expect(first.out).toMatch(/Neo4j started/);
  expect(first.code).toBe(0);
  expect(first.out).toContain(`Browser: http://127.0.0.1:${env.NEO4J_HTTP_PORT}/browser/`);
  const browser = await fetch(`http://127.0.0.1:${env.NEO4J_HTTP_PORT}/browser/`);
  expect(browser.status).toBe(200);

  const cfg = loadConfig(env);
  const graph = Graph.connect(cfg.neo4j, 'localdb-test-pw');
  await graph.write('CREATE (:Marker {at: 1})');
  await graph.close();

  const second = await cli('db:start');
  expect(second.code).toBe(0);
  expect(second.out).toMatch(/already running/);

  const status = await cli('db:status');
  expect(status.code).toBe(0);
  expect(status.out).toMatch(/running .* answers/);

  const stop = await cli('db:stop');
  expect(stop.out).toMatch(/Neo4j stopped/);
  const down = await cli('db:status');
  expect(down.code).toBe(1);
  expect(down.out).toMatch(/not running/);

  expect((await cli('db:start')).code).toBe(0);
  expect(await count()).toBe(1);
});

test('a port taken by another process is refused with a clear message', async () => {
  const port = await freePort();
  const blocker = net.createServer().listen(port, '127.0.0.1');
  try {
    const res = await new Promise<{ code: number; out: string }>((resolve) => {
      const other = { ...env, NEO4J_HOME: `${home}-other`, NEO4J_BOLT_PORT: String(port) };
      const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'similar-users.js'), 'db:start'], {
        env: other,
      });
      let out = '';
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, out }));
    });
    expect(res.code).not.toBe(0);
    expect(res.out).toMatch(new RegExp(`Port ${port} on 127.0.0.1 is taken by another process`));
  } finally {
    blocker.close();
    fs.rmSync(`${home}-other`, { recursive: true, force: true });
  }
});
