// Dispatches argv to a command; known errors print one clear message, unknown ones their stack.
import { AppError } from '../errors';
import type { Command } from './command';
import { commands } from './commands';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: similar-users <command> [options]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `similar-users <command> --help` for the options of one command.',
  ].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? 2 : 0;
  }
  const cmd: Command | undefined = commands.find((c) => c.name === name);
  if (cmd === undefined) {
    process.stderr.write(`Unknown command "${name}".\n\n${help()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${cmd.summary}\nusage: ${cmd.usage}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof AppError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      return err.code === 'BAD_USER_INPUT' || err.code === 'CONFIG' ? 2 : 1;
    }
    throw err;
  }
}
