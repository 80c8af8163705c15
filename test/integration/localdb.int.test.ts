// The CLI's own Neo4j: db:start assembles and starts it, a second start reuses it, data survives a restart.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { loadConfig, PROJECT_ROOT } from '../../src/config';
import { Graph } from '../../src/graph/executor';
import { freePort, LocalNeo4jServer, writeSecret } from '../../src/localdb/server';
import { silentLogger } from '../../src/log';

const home = path.join(PROJECT_ROOT, '.neo4j', `it-localdb-${process.pid}`);
let env: NodeJS.ProcessEnv;
// A leading '-' (as one generated password in 64 has), quotes, a backslash and spaces.
const PASSWORD = `-local "db" \\ test pw ${process.pid}`;

/** Every process command line on this machine that holds `text` (Linux /proc). */
function commandLinesWith(text: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(text)) found.push(`${pid}: ${cmd.slice(0, 200)}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

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
    // Quotes, a backslash and spaces: the password travels through neo4j-admin's argument file, not argv.
    NEO4J_PASSWORD: PASSWORD,
    NEO4J_HEAP: '512m',
    NEO4J_PAGECACHE: '64m',
  };
});

afterAll(async () => {
  await cli('db:stop');
  fs.rmSync(home, { recursive: true, force: true });
});

test('start, reuse, status, stop, restart with data kept', async () => {
  // Watches every command line while the server is assembled, given its password and started.
  const seen: string[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      seen.push(...commandLinesWith(PASSWORD));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const first = await cli('db:start');
  watching = false;
  await watcher;
  expect(seen).toEqual([]);
  expect(first.out).toMatch(/Neo4j started/);
  // The home is private and holds no password file or argument file left behind.
  expect(fs.statSync(home).mode & 0o777).toBe(0o700);
  expect(fs.readdirSync(path.join(home, 'run')).filter((f) => f.includes('password'))).toEqual([]);
  expect(first.code).toBe(0);
  expect(first.out).toContain(`Browser: http://127.0.0.1:${env.NEO4J_HTTP_PORT}/browser/`);
  const browser = await fetch(`http://127.0.0.1:${env.NEO4J_HTTP_PORT}/browser/`);
  expect(browser.status).toBe(200);

  const cfg = loadConfig(env);
  const graph = Graph.connect(cfg.neo4j, PASSWORD);
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
  // Three starts and two stops of a Neo4j: over 180 s at load 20+ on two cores. Nothing here asserts a duration.
}, 600_000);

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

test('a generated password is kept in a 0600 file created exclusively, in a 0700 home', () => {
  const dir = path.join(PROJECT_ROOT, '.neo4j', `it-secret-${process.pid}`);
  try {
    const cfg = loadConfig({ NEO4J_HOME: dir });
    const server = new LocalNeo4jServer(cfg.neo4j.local!, silentLogger);
    const first = server.password(undefined);
    expect(first).toMatch(/^[\w-]{24}$/);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, 'password')).mode & 0o777).toBe(0o600);
    // A second process reads the first one's password rather than writing its own.
    expect(new LocalNeo4jServer(cfg.neo4j.local!, silentLogger).password(undefined)).toBe(first);
    expect(() => writeSecret(path.join(dir, 'password'), 'other\n')).toThrow(/EEXIST/);
    expect(server.password('configured-pw')).toBe('configured-pw');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
