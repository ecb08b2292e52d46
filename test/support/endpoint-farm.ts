import { Worker } from 'node:worker_threads';

/** How one endpoint of the farm answers. */
export type EndpointBehaviour = 'ok' | 'hang' | 'error';
/** `some`: a tenth of the endpoints hang and a tenth answer 500. */
export type FarmFaults = 'none' | 'some';

export const behaviourOf = (n: number, faults: FarmFaults): EndpointBehaviour =>
  faults === 'none' ? 'ok' : n % 10 === 3 ? 'hang' : n % 10 === 7 ? 'error' : 'ok';

export interface EndpointFarm {
  /** The URL of endpoint `n`. */
  url(n: number): string;
  /** Every POST received, per endpoint: when (this process's performance.now()) and with which `webhook-id`. */
  received: Map<number, Array<{ at: number; id: string }>>;
  total(): number;
  stop(): Promise<void>;
}

/**
 * Many customers' endpoints on one loopback port, for the benchmark, served from a thread of their own
 * (see endpoint-farm-worker.ts): endpoint `n` is `http://127.0.0.1:<port>/e/<n>` and answers as
 * `behaviourOf(n, faults)` says: 204, a 500, or never (the connection held open until the farm stops, as
 * a hung server does). Only the arrival of each POST and its `webhook-id` are kept, so that ten thousand
 * cost little.
 */
export async function startEndpointFarm(faults: FarmFaults): Promise<EndpointFarm> {
  const received = new Map<number, Array<{ at: number; id: string }>>();
  let total = 0;
  const worker = new Worker(new URL('./endpoint-farm-worker.ts', import.meta.url), {
    workerData: { faults },
  });
  let stopped: () => void = () => {};
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.on(
      'message',
      (message: {
        port?: number;
        arrivals?: Array<{ n: number; at: number; id: string }>;
        stopped?: boolean;
      }) => {
        if (message.port) resolve(message.port);
        if (message.stopped) stopped();
        for (const { n, at, id } of message.arrivals ?? []) {
          const list = received.get(n) ?? [];
          list.push({ at: at - performance.timeOrigin, id });
          received.set(n, list);
          total++;
        }
      },
    );
  });
  return {
    url: (n) => `http://127.0.0.1:${port}/e/${n}`,
    received,
    total: () => total,
    stop: async () => {
      await new Promise<void>((resolve) => {
        stopped = resolve;
        worker.postMessage('stop');
      });
      await worker.terminate();
    },
  };
}
