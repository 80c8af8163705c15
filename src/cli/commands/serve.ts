// serve: the API server on PORT (GraphQL, REST, probes, GraphiQL, web page); SIGTERM/SIGINT drain, then exit.
// `start` serves through the same path (serveApi).
import { loadConfig } from '../../config';
import { badInput } from '../../errors';
import { serveApi } from '../serve-api';
import type { Command } from '../command';
import { intOption, parse } from '../command';

export const serve: Command = {
  name: 'serve',
  summary: 'Start the API (GraphQL, REST routes for older clients, GraphiQL, web page) and print its URLs',
  usage: 'similar-users serve [--port 4000] [--host 127.0.0.1] [--cache on|off]',
  async run(argv) {
    const { values } = parse(this, argv, {
      port: { type: 'string' },
      host: { type: 'string' },
      cache: { type: 'string' },
    });
    if (values.cache !== undefined && values.cache !== 'on' && values.cache !== 'off') {
      throw badInput(`--cache: expected on or off, got "${values.cache}"`);
    }
    const config = loadConfig();
    const port = intOption('port', values.port, config.http.port, 0, 65535);
    const host = values.host ?? config.http.host;
    await serveApi(config, {
      port,
      host,
      cache: values.cache !== 'off',
      banner: (url, server) => [
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

export const commands: Command[] = [serve];
