import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { behaviourOf, type FarmFaults } from './endpoint-farm';

/*
 * The endpoint farm's server, on a thread of its own: customers' servers are not in the notifier's
 * process, and one sharing its event loop would be slowed by it (and slow it). Tells the farm each POST's
 * arrival (endpoint, wall-clock time, webhook-id), a few at a time.
 */
const faults = workerData.faults as FarmFaults;
let arrivals: Array<{ n: number; at: number; id: string }> = [];
const server = createServer((request, response) => {
  const n = Number((request.url ?? '').match(/^\/e\/(\d+)$/)?.[1] ?? Number.NaN);
  request.resume();
  request.on('end', () => {
    if (Number.isNaN(n)) return void response.writeHead(404).end();
    arrivals.push({
      n,
      at: performance.timeOrigin + performance.now(),
      id: String(request.headers['webhook-id'] ?? ''),
    });
    const answer = behaviourOf(n, faults);
    if (answer === 'ok') response.writeHead(204).end();
    else if (answer === 'error') response.writeHead(500).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  parentPort?.postMessage({ port: (server.address() as AddressInfo).port });
});
const report = setInterval(() => {
  if (arrivals.length === 0) return;
  parentPort?.postMessage({ arrivals });
  arrivals = [];
}, 10);
parentPort?.on('message', (message: string) => {
  if (message !== 'stop') return;
  clearInterval(report);
  if (arrivals.length > 0) parentPort?.postMessage({ arrivals });
  server.closeAllConnections();
  server.close(() => parentPort?.postMessage({ stopped: true }));
});
