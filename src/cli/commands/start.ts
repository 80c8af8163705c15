// start: the one-command demo, composed of the other commands in order: `db:start`, `import --if-empty` (the sample
// data when the graph holds no user, any import that never completed redone first), `similarity --missing` (every
// model without an active version) and `serve --demo` (the page and the API). The first step that does not succeed
// ends it with that step's exit code (an import stopped by Ctrl-C: 130, nothing served); whether it ends there or
// after serve, a Neo4j that did not answer before start is stopped again with `db:stop`.
import path from 'node:path';
import { PROJECT_ROOT } from '../../config';
import type { Command } from '../command';
import { parse } from '../command';
import { dbStart, dbStatus, dbStop } from './db';
import { importCommand } from './import';
import { serve } from './serve';
import { similarity } from './similarity';

export const start: Command = {
  name: 'start',
  summary:
    'The demo in one command: Neo4j, the sample data if the graph is empty, missing models, the page and the API',
  usage: 'similar-users start [--data DIR]',
  async run(argv) {
    const { values } = parse(this, argv, { data: { type: 'string' } });
    const data = path.resolve(values.data ?? path.join(PROJECT_ROOT, 'data'));
    const steps: Array<[Command, string[]]> = [
      [dbStart, []],
      [importCommand, ['--data', data, '--if-empty']],
      [similarity, ['--model', 'all', '--missing']],
      [serve, ['--demo']],
    ];
    const answeredBefore = (await dbStatus.run([])) === 0;
    let code = 0;
    for (const [command, args] of steps) {
      code = await command.run(args);
      if (code !== 0) break;
    }
    if (!answeredBefore) await dbStop.run([]);
    return code;
  },
};

export const commands: Command[] = [start];
