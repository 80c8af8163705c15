// db:start, db:stop, db:status: the locally managed Neo4j (or a report on the external one).
import { loadConfig } from '../../config';
import { databaseCounts, localServer, openGraph } from '../../graph/connect';
import type { Command } from '../command';
import { parse } from '../command';

export const dbStart: Command = {
  name: 'db:start',
  summary: 'Start the local Neo4j (assembled from Maven Central on first use), or check NEO4J_URI answers',
  usage: 'similar-users db:start',
  async run(argv) {
    parse(this, argv, {});
    const config = loadConfig();
    const server = localServer(config);
    const started = Date.now();
    const reused = server?.runningPid() !== undefined;
    // Ctrl-C while the server starts: it is stopped again once it is up (a half-started one is not left behind).
    let interrupted: NodeJS.Signals | undefined;
    const onSignal = (sig: NodeJS.Signals) => {
      if (interrupted !== undefined) process.exit(130);
      interrupted = sig;
      process.stderr.write(`\n${sig}: stopping Neo4j once it is up (again to quit at once)\n`);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const graph = await openGraph(config, { start: true, schema: true });
      await graph.close();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (interrupted !== undefined) {
      if (!reused && server !== undefined) await server.stop();
      process.stderr.write(`db:start: interrupted (${interrupted})${reused ? '' : ', Neo4j stopped again'}\n`);
      return 130;
    }
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    if (server === undefined) {
      process.stdout.write(
        `Using Neo4j at ${config.neo4j.uri} (NEO4J_URI is set, nothing started); it answers and the schema is applied.\n`,
      );
    } else {
      process.stdout.write(
        `${reused ? 'Neo4j already running' : 'Neo4j started'} in ${secs} s (pid ${server.runningPid() ?? '?'})\n` +
          `  Bolt:    ${server.boltUri} (user ${config.neo4j.user}${config.neo4j.password === undefined ? `, password in ${server.home}/password` : ''})\n` +
          `  Browser: ${server.browserUrl}\n` +
          `  Data:    ${server.home}/data\n`,
      );
    }
    return 0;
  },
};

export const dbStop: Command = {
  name: 'db:stop',
  summary: 'Stop the local Neo4j cleanly',
  usage: 'similar-users db:stop',
  async run(argv) {
    parse(this, argv, {});
    const config = loadConfig();
    const server = localServer(config);
    if (server === undefined) {
      process.stdout.write(
        `NEO4J_URI is set (${config.neo4j.uri}): that server is not managed here, nothing to stop.\n`,
      );
      return 0;
    }
    const stopped = await server.stop();
    process.stdout.write(stopped ? 'Neo4j stopped.\n' : 'Neo4j was not running.\n');
    return 0;
  },
};

export const dbStatus: Command = {
  name: 'db:status',
  summary: 'Tell whether Neo4j runs and answers, and where',
  usage: 'similar-users db:status',
  async run(argv) {
    parse(this, argv, {});
    const config = loadConfig();
    const server = localServer(config);
    let answers = false;
    let counts = '';
    if (server === undefined || server.runningPid() !== undefined) {
      try {
        const graph = await openGraph(config);
        try {
          const row = await databaseCounts(graph);
          answers = true;
          counts = row !== undefined ? `, ${row.users} users, ${row.edges} SIMILAR_TO edges` : '';
        } finally {
          await graph.close();
        }
      } catch (err) {
        counts = ` (${(err as Error).message})`;
      }
    }
    if (server === undefined) {
      process.stdout.write(
        `external Neo4j at ${config.neo4j.uri}: ${answers ? 'answers' : 'does not answer'}${counts}\n`,
      );
    } else {
      const s = server.status();
      process.stdout.write(
        s.running
          ? `local Neo4j running (pid ${s.pid}) at ${s.boltUri}, Browser ${s.browserUrl}: ${answers ? 'answers' : 'does not answer'}${counts}\n`
          : `local Neo4j not running (${s.installed ? 'jars installed' : 'not installed yet'}; data in ${s.home}/data)\n`,
      );
    }
    return answers ? 0 : 1;
  },
};

export const commands: Command[] = [dbStart, dbStop, dbStatus];
