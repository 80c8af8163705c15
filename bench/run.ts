// `npm run bench -- <name> [options]`: runs bench/<name>.ts, whose main(argv) prints a table and returns an exit code.
import fs from 'node:fs';
import path from 'node:path';

// As the CLI (bin/similar-users.js): built-in modules resolve without tsx's hook.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../bin/resolve-builtins');

// Like the CLI (src/cli/bin.ts): settings from .env, the real environment winning.
const envFile = path.join(__dirname, '..', '.env');
if (fs.existsSync(envFile)) process.loadEnvFile(envFile);

async function main(): Promise<number> {
  const [name, ...rest] = process.argv.slice(2);
  const available = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
    .map((f) => f.replace(/\.ts$/, ''));
  if (name === undefined || !available.includes(name)) {
    process.stderr.write(`usage: npm run bench -- <${available.join('|')}> [options]\n`);
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
