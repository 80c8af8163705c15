// Each jest worker's test files use the Neo4j global-setup started for that worker (TEST_NEO4J_URI_<worker id>), so
// files that reset their database run side by side on different servers, never on the same one.
const id = process.env.JEST_WORKER_ID ?? '1';
const uri = process.env[`TEST_NEO4J_URI_${id}`];
if (uri !== undefined) {
  process.env.TEST_NEO4J_URI = uri;
  const httpPort = process.env[`TEST_NEO4J_HTTP_PORT_${id}`];
  if (httpPort !== undefined) process.env.TEST_NEO4J_HTTP_PORT = httpPort;
} else if (process.env.TEST_NEO4J_WORKERS !== undefined && process.env.TEST_NEO4J_URI === undefined) {
  throw new Error(
    `jest worker ${id} has no Neo4j: global setup started ${process.env.TEST_NEO4J_WORKERS} (one per worker, maxWorkers)`,
  );
}
