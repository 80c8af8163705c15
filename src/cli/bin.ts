// Entry point of the `similar-users` CLI: load .env, run the command, exit with its code.
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config';
import { run } from './run';

const envFile = path.join(PROJECT_ROOT, '.env');
if (fs.existsSync(envFile)) process.loadEnvFile(envFile);

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
