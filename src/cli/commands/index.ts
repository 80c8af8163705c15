// Every CLI command: each module in this folder exports `commands: Command[]`; help lists them by name.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from '../command';

function load(): Command[] {
  const out: Command[] = [];
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !/^index\./.test(f))
    .sort();
  for (const f of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(__dirname, f)) as { commands?: Command[] };
    if (!Array.isArray(mod.commands)) throw new Error(`src/cli/commands/${f} exports no "commands" array`);
    out.push(...mod.commands);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export const commands: Command[] = load();
