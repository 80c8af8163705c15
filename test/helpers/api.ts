// One way for integration tests to start the API: quiet, on its own graph connection, on a free port of 127.0.0.1.
import { createApp, type ApiServer } from '../../src/api/server';
import type { Config } from '../../src/config';
import { openApiGraph } from '../../src/graph/connect';

export const quietLog = { info: () => undefined, warn: () => undefined };

/** Starts an API server for `config` (options as createApp's; the log quiet unless given). */
export async function startApi(config: Config, opts: Parameters<typeof createApp>[2] = {}): Promise<ApiServer> {
  const s = await createApp(config, openApiGraph(config), { log: quietLog, ...opts });
  await s.start(0, '127.0.0.1');
  return s;
}
