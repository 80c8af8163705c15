// The lease heartbeat's worker thread: renews the lease on its own connection every `everyMs`, so a main thread
// busy computing for minutes cannot let the lease expire; reports each renewal to the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { Graph } from './executor';
import { renewLease, type HeartbeatData } from './lease';

const data = workerData as HeartbeatData;
const graph = Graph.connect(data.connection, data.connection.password);

async function beat(): Promise<void> {
  const result = await renewLease(graph, data);
  parentPort?.postMessage(result);
  setTimeout(() => void beat(), data.everyMs);
}

setTimeout(() => void beat(), data.everyMs);
