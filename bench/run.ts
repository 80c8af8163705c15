// `npm run bench -- <name> [options]`: runs bench/<name>.ts, whose main(argv) prints a table and returns an exit code.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// As the CLI (bin/similar-users.js): built-in modules resolve without tsx's hook.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../bin/resolve-builtins');

// Like the CLI (src/cli/bin.ts): settings from .env, the real environment winning.
const envFile = path.join(__dirname, '..', '.env');
if (fs.existsSync(envFile)) process.loadEnvFile(envFile);

/**
 * `--priority`: this process and the children it starts (a server, a Neo4j) get the CPU before anything else on the
 * machine: nice -15, and the same for the session's autogroup, without which Linux shares the CPU between sessions
 * fairly whatever their nice values (and for the autogroup of a Neo4j the bench starts, which runs detached). On a machine shared with other work this measures what an idle machine gives.
 * Needs root (or CAP_SYS_NICE); says what it got.
 */
function raisePriority(): string {
  const got: string[] = [];
  try {
    os.setPriority(-15);
    got.push('nice -15');
  } catch (err) {
    got.push(`nice unchanged (${err instanceof Error ? err.message : String(err)})`);
  }
  try {
    fs.writeFileSync('/proc/self/autogroup', '-15');
    got.push('session autogroup nice -15');
    // For the servers a bench starts in sessions of their own (a detached Neo4j: bench/_local-neo4j.ts).
    process.env.BENCH_PRIORITY = '-15';
  } catch (err) {
    got.push(`autogroup unchanged (${err instanceof Error ? err.message : String(err)})`);
  }
  return `priority: ${got.join(', ')}; load average at the start ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}\n`;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const priority = args.indexOf('--priority');
  if (priority >= 0) {
    args.splice(priority, 1);
    process.stdout.write(raisePriority());
  }
  const [name, ...rest] = args;
  const available = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
    .map((f) => f.replace(/\.ts$/, ''));
  if (name === undefined || !available.includes(name)) {
    process.stderr.write(`usage: npm run bench -- <${available.join('|')}> [--priority] [options]\n`);
    return 2;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(__dirname, `${name}.ts`)) as { main(argv: string[]): Promise<number> };
  return mod.main(rest);
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
