// Entry point of the `similar-users` CLI: load .env, run the command, exit with its code.
import fs from 'node:fs';
import path from 'node:path';
import { defaultNodeEnv, PROJECT_ROOT } from '../config';
import type { run as Run } from './run';

const envFile = path.join(PROJECT_ROOT, '.env');
if (fs.existsSync(envFile)) process.loadEnvFile(envFile);
defaultNodeEnv();

// Loaded after NODE_ENV is settled: graphql-js reads it once, when it loads.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { run } = require('./run') as { run: typeof Run };

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
