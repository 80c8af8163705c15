// forget: removes users and every trace of them (their rows, their lists, their place in other users' lists), and
// records them so an import of old files does not bring them back.
import { parseHandle } from '../../api/models';
import { loadConfig } from '../../config';
import { badInput } from '../../errors';
import { openGraph } from '../../graph/connect';
import { ForgetJob } from '../../jobs/jobs';
import type { Command } from '../command';
import { parse } from '../command';

export const forget: Command = {
  name: 'forget',
  summary: 'Forget users: delete them with all their relationships and SIMILAR_TO edges, and record them',
  usage: 'similar-users forget <handle> [<handle> ...]',
  async run(argv) {
    const { positionals } = parse(this, argv, {}, true);
    if (positionals.length === 0)
      throw badInput(`forget: expected one or more user handles, got none\nusage: ${this.usage}`);
    const handles = positionals.map((p) => parseHandle(p, 'handle'));
    const graph = await openGraph(loadConfig(), { schema: true });
    try {
      await new ForgetJob(graph).run(handles, (r) =>
        process.stdout.write(
          r.found
            ? `user ${r.handle} forgotten: removed with its relationships; ${r.edges} SIMILAR_TO edges gone, ${r.lists} lists renumbered\n`
            : `user ${r.handle} was not in the graph; recorded as forgotten, so an import will not bring it back\n`,
        ),
      );
      process.stdout.write('running API servers drop it from every answer within a second (cached and live lists)\n');
    } finally {
      await graph.close();
    }
    return 0;
  },
};

export const commands: Command[] = [forget];
