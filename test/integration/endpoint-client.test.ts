import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointClient } from '../../shared/adapters/endpoint-client';

/*
 * The endpoint client against receivers on 127.0.0.1 that answer as real endpoints do: well, slowly,
 * never, with errors, with Retry-After, gone, redirecting, at length. The refusals (private addresses, a
 * name that resolves to one) are checked to happen before any connection is even attempted.
 */

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;
const received: Array<{ path: string; headers: IncomingMessage['headers']; body: string }> = [];
const routes: Record<string, Handler> = {
  '/good': (_, response) => response.writeHead(204).end(),
  '/slow': (_, response) => void setTimeout(() => response.writeHead(200).end('late'), 1_500),
  '/hanging': () => undefined,
  '/error': (_, response) => response.writeHead(500).end('broken'),
  '/busy': (_, response) => response.writeHead(429, { 'retry-after': '120' }).end(),
  '/busy-until': (_, response) =>
    response.writeHead(503, { 'retry-after': new Date(Date.now() + 90_000).toUTCString() }).end(),
  '/gone': (_, response) => response.writeHead(410).end('gone'),
  '/missing': (_, response) => response.writeHead(404).end('no such hook'),
  '/redirect': (_, response) => response.writeHead(302, { location: '/good' }).end(),
  '/large': (_, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('x'.repeat(1024 * 1024));
  },
};

let server: Server;
let base: string;
let closedPort: number;
const client = new EndpointClient({ allowLoopback: true, timeoutMs: 500 });

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const path = request.url ?? '/';
      received.push({ path, headers: request.headers, body });
      (routes[path] ?? routes['/missing'])?.(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const post = (path: string, target = client) =>
  target.post(`${base}${path}`, '{"type":"test"}', { 'webhook-id': 'evt_1' });

describe('the endpoint client', () => {
  it('delivers, with the body and our headers', async () => {
    expect(await post('/good')).toMatchObject({ kind: 'delivered', status: 204 });
    expect(received.at(-1)).toMatchObject({
      path: '/good',
      body: '{"type":"test"}',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'evt_1',
        'user-agent': 'status-notifier-webhooks/1',
      },
    });
  });

  it('gives up on a slow or hanging endpoint at its timeout, to try again later', async () => {
    for (const path of ['/slow', '/hanging']) {
      const outcome = await post(path);
      expect(outcome, path).toMatchObject({ kind: 'retry', reason: 'no answer within 0.5 s' });
      expect(outcome.kind === 'retry' && outcome.latencyMs, path).toBeLessThan(1_400);
    }
  });

  it('retries 5xx and 429, honouring Retry-After in seconds or as a date', async () => {
    expect(await post('/error')).toMatchObject({ kind: 'retry', status: 500, answer: 'broken' });
    expect(await post('/busy')).toMatchObject({ kind: 'retry', status: 429, retryAfterSeconds: 120 });
    const until = await post('/busy-until');
    expect(until).toMatchObject({ kind: 'retry', status: 503 });
    expect(until.kind === 'retry' && until.retryAfterSeconds).toBeGreaterThanOrEqual(85);
  });

  it('says 410 is gone, and other 4xx and redirects are not worth retrying (no redirect followed)', async () => {
    expect(await post('/gone')).toMatchObject({ kind: 'gone', status: 410 });
    expect(await post('/missing')).toMatchObject({ kind: 'rejected', status: 404 });
    const before = received.length;
    expect(await post('/redirect')).toMatchObject({ kind: 'rejected', status: 302 });
    expect(received.slice(before).map((r) => r.path)).toEqual(['/redirect']);
  });

  it('retries a refused connection', async () => {
    const outcome = await client.post(`http://127.0.0.1:${closedPort}/hook`, '{}', {});
    expect(outcome).toMatchObject({ kind: 'retry', reason: 'the connection failed (ECONNREFUSED)' });
  });

  it('reads at most 64 KB of an answer', async () => {
    const outcome = await post('/large');
    expect(outcome).toMatchObject({ kind: 'delivered', status: 200 });
    expect(outcome.kind === 'delivered' && outcome.answer.length).toBe(64 * 1024);
  });
});

describe('refusals happen before any connection', () => {
  let sockets = 0;
  const count = () => {
    sockets++;
  };
  beforeAll(() => subscribe('net.client.socket', count));
  afterAll(() => unsubscribe('net.client.socket', count));

  const resolvingTo =
    (...addresses: string[]) =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('refuses loopback unless the local stack allows it, and private or metadata addresses always', async () => {
    const strict = new EndpointClient({ allowLoopback: false });
    const before = sockets;
    for (const url of [
      `${base}/good`,
      'https://169.254.169.254/latest/meta-data/',
      'https://[::ffff:10.0.0.1]/',
    ])
      expect(await strict.post(url, '{}', {}), url).toMatchObject({ kind: 'blocked' });
    expect(sockets - before).toBe(0);
  });

  it('refuses a name that resolves to a private address, even one among public ones, resolving it once', async () => {
    let lookups = 0;
    const rebinding = new EndpointClient({
      allowLoopback: false,
      resolve: async () => {
        lookups++;
        return resolvingTo('93.184.216.34', '127.0.0.1')();
      },
    });
    const before = sockets;
    expect(await rebinding.post('https://hooks.example.com/status', '{}', {})).toEqual({
      kind: 'blocked',
      reason: 'resolves to a private, local or reserved address: updates go to public addresses only',
    });
    const metadata = new EndpointClient({ allowLoopback: false, resolve: resolvingTo('169.254.169.254') });
    expect(await metadata.post('https://hooks.example.com/status', '{}', {})).toMatchObject({
      kind: 'blocked',
    });
    expect(sockets - before).toBe(0);
    expect(lookups).toBe(1);
  });

  it('retries a name that does not resolve', async () => {
    const nowhere = new EndpointClient({
      allowLoopback: false,
      resolve: async () => {
        throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      },
    });
    expect(await nowhere.post('https://hooks.example.com/status', '{}', {})).toMatchObject({
      kind: 'retry',
      reason: 'the host name did not resolve (ENOTFOUND)',
    });
  });
});
