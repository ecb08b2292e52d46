import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How one endpoint of the farm answers. */
export type EndpointBehaviour = 'ok' | 'hang' | 'error';

export interface EndpointFarm {
  /** The URL of endpoint `n`. */
  url(n: number): string;
  /** Every POST received, per endpoint: when (performance.now()) and with which `webhook-id`. */
  received: Map<number, Array<{ at: number; id: string }>>;
  total(): number;
  stop(): Promise<void>;
}

/**
 * Many customers' endpoints on one loopback port, for the benchmark: endpoint `n` is
 * `http://127.0.0.1:<port>/e/<n>` and answers as `behaviour(n)` says: 204, a 500, or never (the
 * connection held open until the farm stops, as a hung server does). Only the arrival of each POST and its
 * `webhook-id` are kept, so that ten thousand cost little.
 */
export async function startEndpointFarm(behaviour: (n: number) => EndpointBehaviour): Promise<EndpointFarm> {
  const received = new Map<number, Array<{ at: number; id: string }>>();
  let total = 0;
  const server = createServer((request, response) => {
    const n = Number((request.url ?? '').match(/^\/e\/(\d+)$/)?.[1] ?? Number.NaN);
    request.resume();
    request.on('end', () => {
      if (Number.isNaN(n)) return void response.writeHead(404).end();
      const arrivals = received.get(n) ?? [];
      arrivals.push({ at: performance.now(), id: String(request.headers['webhook-id'] ?? '') });
      received.set(n, arrivals);
      total++;
      const answer = behaviour(n);
      if (answer === 'ok') response.writeHead(204).end();
      else if (answer === 'error') response.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (n) => `http://127.0.0.1:${port}/e/${n}`,
    received,
    total: () => total,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
