import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpRoute } from '../functions';
import { type LambdaHandler, lambdaContext } from './lambda-context';

export interface LocalRoute extends HttpRoute {
  functionName: string;
  handler: LambdaHandler;
  timeoutSeconds: number;
}

/** Routes of the local stack itself, never deployed: `POST /_local/redrive`. */
export type LocalOperations = Record<string, () => Promise<unknown>>;

export interface ApiServer {
  url: string;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024; // API Gateway's payload limit

/**
 * Serves the routes on 127.0.0.1 the way an API Gateway HTTP API does: each request becomes a payload
 * v2.0 event for the same handler that runs in Lambda, and the handler's result becomes the response.
 * Until `routes()` gives the routes (the whole stack is up), every request is answered 503.
 */
export async function startApiServer(
  port: number,
  routes: () => LocalRoute[] | undefined,
  operations: LocalOperations = {},
): Promise<ApiServer> {
  let compiled: Array<{ route: LocalRoute; pattern: RegExp }> | undefined;
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      console.error('local API failed:', error);
      if (!res.headersSent) send(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ready = routes();
    if (!ready)
      return send(res, 503, { error: { code: 'STARTING', message: 'the local stack is starting' } });
    compiled ??= ready.map((route) => ({ route, pattern: pathPattern(route.path) }));
    const method = req.method ?? 'GET';
    const operation = operations[`${method} ${url.pathname}`];
    if (operation) return send(res, 200, await operation());
    const match = compiled
      .map(({ route, pattern }) => ({ route, found: pattern.exec(url.pathname) }))
      .find(({ route, found }) => found && route.method === method);
    if (!match?.found) return send(res, 404, { message: 'Not Found' });
    const body = await readBody(req);
    if (body === undefined) return send(res, 413, { message: 'Request Entity Too Large' });
    const event = toEvent(req, url, match.route, { ...match.found.groups }, body);
    const result = await match.route.handler(
      event,
      lambdaContext(match.route.functionName, match.route.timeoutSeconds),
    );
    if (typeof result === 'string' || result?.statusCode === undefined) return send(res, 200, result);
    // Like API Gateway: each of `cookies` becomes a Set-Cookie header.
    res.writeHead(result.statusCode, {
      ...result.headers,
      ...(result.cookies?.length ? { 'set-cookie': result.cookies } : {}),
    });
    res.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${bound}`, stop: () => close(server) };
}

function pathPattern(template: string): RegExp {
  const source = template
    .replace(/[.*?^$()|[\]\\]/g, '\\$&')
    .replace(/\{(\w+)\+\}/g, '(?<$1>.+)') // a greedy `{proxy+}`
    .replace(/\{(\w+)\}/g, '(?<$1>[^/]+)');
  return new RegExp(`^${source}/?$`);
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  route: LocalRoute,
  params: Record<string, string>,
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  // Payload 2.0 moves cookies out of the headers into `cookies`, one entry per cookie.
  const cookies = (headers.cookie ?? '').split(/;\s*/).filter(Boolean);
  delete headers.cookie;
  const query: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(',');
  const textual = /json|text|x-www-form-urlencoded|xml/i.test(headers['content-type'] ?? 'application/json');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(cookies.length ? { cookies } : {}),
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(params).length ? { pathParameters: params } : {}),
    ...(body.length ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !textual,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
