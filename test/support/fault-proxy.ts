import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request. */
export type Fault =
  | { kind: 'forward' }
  /** An AWS error answer: status, error type (the SDK reads `x-amzn-errortype`) and message. */
  | { kind: 'error'; status: number; type: string; message: string }
  /** The connection drops before anything reaches the service (ECONNRESET at the client). */
  | { kind: 'reset' }
  /** No answer at all, until the client gives up (its request timeout). */
  | { kind: 'hang' }
  /** Forward a changed body, then change the answer: entries the service "refused" without seeing them. */
  | {
      kind: 'rewrite';
      request: (body: any) => any;
      response: (body: any) => any;
    };

export interface ProxiedRequest {
  method: string;
  path: string;
  /** `X-Amz-Target` of JSON-protocol services (DynamoDB), empty otherwise. */
  target: string;
  body: string;
}

export interface FaultProxy {
  url: string;
  /** Every request seen, with what was done to it. */
  readonly log: Array<{ request: ProxiedRequest; fault: Fault['kind'] }>;
  decide: (request: ProxiedRequest) => Fault;
  stop(): Promise<void>;
}

/**
 * An HTTP proxy in front of a local AWS stand-in (the SES emulator, DynamoDB Local) that injects faults
 * at the client boundary: the code under test talks to it exactly as to AWS, over the network, and gets
 * what AWS answers on a bad day. `decide` picks the fault of each request and may be swapped at any time.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const proxy: FaultProxy = {
    url: '',
    log: [],
    decide: () => ({ kind: 'forward' }),
    stop: async () => {},
  };
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: ProxiedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      target: String(req.headers['x-amz-target'] ?? ''),
      body: Buffer.concat(chunks).toString('utf8'),
    };
    const fault = proxy.decide(request);
    proxy.log.push({ request, fault: fault.kind });
    switch (fault.kind) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang':
        return; // the client times out; nothing reaches the service
      case 'error':
        res.writeHead(fault.status, {
          'content-type': 'application/json',
          'x-amzn-errortype': fault.type,
          'x-amzn-requestid': 'fault-proxy',
        });
        res.end(JSON.stringify({ __type: fault.type, message: fault.message }));
        return;
      case 'forward':
      case 'rewrite': {
        const body =
          fault.kind === 'rewrite' ? JSON.stringify(fault.request(JSON.parse(request.body))) : request.body;
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(
            ([name]) => !['host', 'content-length', 'connection'].includes(name),
          ),
        ) as Record<string, string>;
        const answer = await fetch(`${target}${request.path}`, {
          method: request.method,
          headers,
          ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body }),
        });
        let text = await answer.text();
        if (fault.kind === 'rewrite' && answer.ok) text = JSON.stringify(fault.response(JSON.parse(text)));
        res.writeHead(answer.status, {
          'content-type': answer.headers.get('content-type') ?? 'application/json',
          ...(answer.headers.get('x-amzn-errortype')
            ? { 'x-amzn-errortype': String(answer.headers.get('x-amzn-errortype')) }
            : {}),
        });
        res.end(text);
        return;
      }
    }
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.stop = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
