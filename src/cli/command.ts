// The shape of a CLI command: argv in, exit code out; parsing with node:util parseArgs.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { badInput } from '../errors';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with errors that name the command and its usage. */
export function parse<O extends Options>(
  cmd: Pick<Command, 'name' | 'usage'>,
  argv: string[],
  options: O,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw badInput(`${(err as Error).message}\nusage: ${cmd.usage}`);
  }
}

/** An integer option with a range; says what was expected and what arrived. */
export function intOption(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw badInput(`--${name}: expected an integer ${min}..${max}, got "${value}"`);
  }
  return n;
}
