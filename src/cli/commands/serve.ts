// serve: the API server on PORT (GraphQL, REST, probes, GraphiQL, web page); SIGTERM/SIGINT drain, then exit.
// `serve --demo` is the last step of `start`: the local demo's settings, the page built, and start's banner.
import { loadConfig, type Config } from '../../config';
import { badInput } from '../../errors';
import { localServer } from '../../graph/connect';
import { ensurePage } from '../page';
import type { Command } from '../command';
import type * as ServeApi from '../serve-api';
import { intOption, parse } from '../command';

export const serve: Command = {
  name: 'serve',
  summary: 'Start the API (GraphQL, REST routes for older clients, GraphiQL, web page) and print its URLs',
  usage:
    'similar-users serve [--port 4000] [--host 127.0.0.1] [--cache on|off] [--demo]\n' +
    '  --demo: the local demo (what start runs): GraphiQL and introspection on unless set, the page built when missing',
  async run(argv) {
    const { values } = parse(this, argv, {
      port: { type: 'string' },
      host: { type: 'string' },
      cache: { type: 'string' },
      demo: { type: 'boolean' },
    });
    if (values.cache !== undefined && values.cache !== 'on' && values.cache !== 'off') {
      throw badInput(`--cache: expected on or off, got "${values.cache}"`);
    }
    const demo = values.demo === true;
    const config = loadConfig(undefined, undefined, { demo });
    const port = intOption('port', values.port, config.http.port, 0, 65535);
    const host = values.host ?? config.http.host;
    if (demo) ensurePage((m) => process.stderr.write(`[page] ${m}\n`));
    // The API's modules (Apollo, express) load only for the commands that serve: every other command starts faster.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { serveApi } = require('../serve-api') as typeof ServeApi;
    await serveApi(config, {
      port,
      host,
      cache: values.cache !== 'off',
      banner: (url, server) =>
        demo
          ? demoBanner(url, config)
          : [
              `API listening on ${url} (${config.env}, Neo4j ${config.neo4j.uri}, neighbour cache ${server.cache === undefined ? 'off' : 'on'})`,
              `  GraphQL:     POST ${url}/graphql`,
              config.http.playground
                ? `  GraphiQL:    open ${url}/graphql in a browser`
                : '  GraphiQL:    off (GRAPHQL_PLAYGROUND=false)',
              `  REST:        curl -s -X POST ${url}/similar-users/ -H 'content-type: application/json' -d '{"user_handle": 110}'`,
              `               curl -s '${url}/api/similarity/?user_handle=110'`,
              `  Probes:      ${url}/healthz  ${url}/readyz`,
              `  Page:        ${url}/`,
              'Ctrl+C or SIGTERM stops it after in-flight requests finish.',
              '',
            ],
    });
    process.stderr.write('API stopped.\n');
    return 0;
  },
};

function neo4jLine(config: Config): string {
  const local = localServer(config);
  return local !== undefined
    ? `  Neo4j:       ${local.boltUri}, Browser ${local.browserUrl}`
    : `  Neo4j:       ${config.neo4j.uri}`;
}

/** What start prints once everything is up (its steps run in this process, so its uptime is start's time). */
function demoBanner(url: string, config: Config): string[] {
  return [
    '',
    `Ready in ${process.uptime().toFixed(1)} s.`,
    `  Page:        ${url}/`,
    `  GraphQL:     ${url}/graphql${config.http.playground ? ' (GraphiQL in a browser)' : ''}`,
    `  REST:        curl -s -X POST ${url}/similar-users/ -H 'Content-Type: application/json' -d '{"user_handle": 1}'`,
    `  Health:      ${url}/healthz, ${url}/readyz`,
    neo4jLine(config),
    'Press Ctrl-C to stop.',
    '',
  ];
}

export const commands: Command[] = [serve];
