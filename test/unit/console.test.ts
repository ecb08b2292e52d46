import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../infra/local/lambda-context';
import { AdminApi, AdminApiError } from '../../shared/adapters/admin-api';
import { csrfMatches, csrfToken } from '../../shared/domain/csrf';
import { isSessionToken, parseSessionToken, sessionToken } from '../../shared/domain/session-token';
import { cookieOf, setCookie } from '../../shared/http/cookies';
import type { HttpResult } from '../../shared/http/respond';
import { ownOrigins, sentFromOwnSite } from '../../shared/http/same-origin';
import { type Clock, systemClock } from '../../shared/ports';
import { consoleRoutes } from '../../shared/routes/console/index';
import { inWords } from '../../shared/routes/console/refusals';
import { READ_ONLY } from '../../shared/templates/pages/console/frame';

// The console's own pieces, and what it says when the admin API is not there or answers nonsense.

const TOKEN = `sns_${'a'.repeat(12)}_${'b'.repeat(64)}`;

function event(path: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `GET ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers,
    cookies: [`console_session=${TOKEN}`],
    isBase64Encoded: false,
    requestContext: {
      accountId: '0',
      apiId: 'unit',
      domainName: 'localhost',
      domainPrefix: 'unit',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'unit' },
      requestId: 'unit',
      routeKey: `GET ${path}`,
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
  };
}

type Answer = Required<Pick<HttpResult, 'statusCode' | 'body'>> & { headers: Record<string, string> };

/** Runs one console route's handler, as API Gateway would. */
function run(api: AdminApi, request: APIGatewayProxyEventV2, clock: Clock = systemClock): Promise<Answer> {
  const method = request.requestContext.http.method;
  const route = consoleRoutes({ api, clock, config: { publicBaseUrl: 'https://status.example.com' } }).find(
    (r) => r.method === method && r.path === request.rawPath,
  );
  const handler = route?.handler as unknown as (
    event: APIGatewayProxyEventV2,
    context: Context,
  ) => Promise<Answer>;
  return handler(request, lambdaContext('console', 5));
}

const subscribersPage = (api: AdminApi, headers: Record<string, string> = {}) =>
  run(api, event('/console/subscribers', headers));

/** The import form posted from the console's own page, as a browser without JavaScript sends it. */
function importPost(file: string): APIGatewayProxyEventV2 {
  const base = event('/console/import', {
    'content-type': 'application/x-www-form-urlencoded',
    origin: 'https://status.example.com',
  });
  return {
    ...base,
    routeKey: 'POST /console/import',
    requestContext: { ...base.requestContext, http: { ...base.requestContext.http, method: 'POST' } },
    body: new URLSearchParams({ csrf: csrfToken(TOKEN), mode: 'import', file }).toString(),
  };
}

/** An admin API whose imports answer as `parts` says, one call after another (502: a gateway page). */
async function importingApi(parts: Array<'ok' | 502>) {
  let calls = 0;
  const server = createServer((req, res) => {
    if (req.url === '/v1/admin/sessions/current') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'a'.repeat(12),
          actor: 'bootstrap',
          scopes: ['read', 'write'],
          idleMinutes: 30,
          createdAt: '2026-03-02T09:00:00.000Z',
          lastSeenAt: '2026-03-02T09:00:00.000Z',
          expiresAt: '2026-03-02T09:30:00.000Z',
        }),
      );
      return;
    }
    req.resume();
    req.on('end', () => {
      if (parts[calls++] === 502) {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html>Bad gateway</html>');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ imported: 1000, updated: 0, unchanged: 0, rejected: [], dryRun: false }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const api = new AdminApi(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, '');
  return { api, close: () => new Promise((resolve) => server.close(resolve)) };
}

const rows = (n: number) =>
  `email,page\n${Array.from({ length: n }, (_, i) => `s${i + 1}@example.com,p1`).join('\n')}\n`;

// An "admin API" that answers 200 with a shape the console does not know.
let nonsense: Server;
let nonsenseUrl: string;
beforeAll(async () => {
  nonsense = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"surprise":true}');
  });
  await new Promise<void>((resolve) => nonsense.listen(0, '127.0.0.1', resolve));
  nonsenseUrl = `http://127.0.0.1:${(nonsense.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => nonsense.close(resolve));
});

describe('console', () => {
  it('derives a CSRF token per session and compares it in constant time', () => {
    const token = csrfToken(TOKEN);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(csrfMatches(TOKEN, token)).toBe(true);
    expect(csrfMatches(TOKEN.replace('b', 'c'), token)).toBe(false);
    expect(csrfMatches(TOKEN, undefined)).toBe(false);
    expect(csrfMatches(TOKEN, '')).toBe(false);
  });

  it('lets a change in only from the console’s own pages, by Sec-Fetch-Site, else Origin, else Referer', () => {
    const own = ownOrigins(
      { ...event('/console/sign-in'), headers: { host: 'abc.execute-api.eu-west-1.amazonaws.com' } },
      'https://status.example.com',
    );
    expect(own).toEqual(['https://status.example.com', 'https://abc.execute-api.eu-west-1.amazonaws.com']);
    const cases: Array<[Record<string, string>, boolean]> = [
      [{ 'sec-fetch-site': 'same-origin' }, true],
      [{ 'sec-fetch-site': 'none' }, true],
      [{ 'sec-fetch-site': 'same-site', origin: 'https://status.example.com' }, false],
      [{ 'sec-fetch-site': 'cross-site' }, false],
      [{ origin: 'https://status.example.com' }, true],
      [{ origin: 'https://abc.execute-api.eu-west-1.amazonaws.com' }, true],
      [{ origin: 'http://status.example.com' }, false],
      [{ origin: 'https://status.example.com.attacker.example' }, false],
      [{ origin: 'null', referer: 'https://status.example.com/console' }, false],
      [{ referer: 'https://status.example.com/console/subscribers?email=a' }, true],
      [{ referer: 'https://attacker.example/https://status.example.com/' }, false],
      [{ referer: 'not a url' }, false],
      [{}, false],
    ];
    for (const [headers, expected] of cases)
      expect(sentFromOwnSite(headers, own), JSON.stringify(headers)).toBe(expected);
  });

  it('knows a session token by the shape sessions are minted with', () => {
    expect(parseSessionToken(TOKEN)).toEqual({ sessionId: 'a'.repeat(12), secret: 'b'.repeat(64) });
    expect(parseSessionToken(sessionToken('0'.repeat(12), 'f'.repeat(64)))).toBeDefined();
    for (const other of [`snk_${'a'.repeat(12)}_${'b'.repeat(64)}`, 'a-bootstrap-key', `${TOKEN}x`, ''])
      expect(isSessionToken(other), other).toBe(false);
  });

  it('writes a cookie no script reads and no other site’s form sends, and reads it from either event form', () => {
    expect(setCookie('console_session', 'v', { path: '/console', secure: true })).toBe(
      'console_session=v; Path=/console; HttpOnly; SameSite=Lax; Secure',
    );
    const fromHeader = {
      ...event('/console'),
      cookies: undefined,
      headers: { cookie: 'a=1; console_session=xyz' },
    };
    expect(cookieOf(fromHeader, 'console_session')).toBe('xyz');
    expect(cookieOf(event('/console'), 'console_session')).toBe(TOKEN);
    expect(cookieOf(event('/console'), 'other')).toBeUndefined();
  });

  it('says the admin API is not answering, in words, when it cannot be reached (502, not 500)', async () => {
    const result = await subscribersPage(new AdminApi('http://127.0.0.1:9', ''));
    expect(result.statusCode).toBe(502);
    expect(result.headers['content-type']).toContain('text/html');
    expect(result.body).toContain('The admin API is not answering');
    expect(result.body).toContain('The admin API could not be reached. Try again in a moment');
    const json = await subscribersPage(new AdminApi('http://127.0.0.1:9', ''), {
      accept: 'application/json',
    });
    expect(JSON.parse(json.body).error.code).toBe('BAD_GATEWAY');
  });

  it('refuses an answer in an unexpected shape rather than rendering it', async () => {
    await expect(new AdminApi(nonsenseUrl, TOKEN).currentSession()).rejects.toEqual(
      expect.objectContaining({ status: 502, code: 'BAD_RESPONSE' }),
    );
    const result = await subscribersPage(new AdminApi(nonsenseUrl, ''));
    expect(result.statusCode).toBe(502);
    expect(result.body).toContain('unexpected shape');
  });

  it('says a refusal by what the API names (its `scope` detail), never by its message text', () => {
    const scope = new AdminApiError('POST /v1/admin/suppressions', 403, 'FORBIDDEN', 'whatever it says', [
      { path: 'scope', message: 'needs write' },
    ]);
    expect(inWords(scope, { write: true }).message).toBe(READ_ONLY);
    expect(inWords(scope, { write: false }).message).toBe('Whatever it says');
    const worded = new AdminApiError('DELETE /v1/admin/keys/x', 403, 'FORBIDDEN', 'lacks the write scope', [
      { path: 'authorization', message: 'a session token' },
    ]);
    expect(inWords(worded, { write: true }).message).toBe('Lacks the write scope');
  });

  it('keeps what an import without JavaScript did when a later part fails, and says how far it got', async () => {
    const { api, close } = await importingApi(['ok', 502, 'ok']);
    try {
      const page = await run(api, importPost(rows(2500)));
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Stopped part way: the counts are for the rows sent so far');
      expect(page.body).toMatch(/<dt>Added<\/dt><dd>1000<\/dd>/);
      expect(page.body).toContain(
        'Rows 1–1000 were imported (of 2500); the rest, from line 1002 of the file, was not: The admin API failed (502).',
      );
      expect(page.body).toContain('npx status-notifier subscribers import FILE.csv');
    } finally {
      await close();
    }
  });

  it('stops an import without JavaScript at its time budget, pointing to the script and the CLI', async () => {
    const { api, close } = await importingApi(['ok', 'ok', 'ok']);
    let now = Date.parse('2026-03-02T09:00:00Z');
    const clock: Clock = {
      now: () => {
        now += 12_000; // every look at the clock: 12 s later
        return new Date(now);
      },
    };
    try {
      const page = await run(api, importPost(rows(2500)), clock);
      expect(page.body).toContain(
        'This took longer than one page may (20 seconds). Rows 1–1000 were imported (of 2500); the rest, from line 1002 of the file, was not.',
      );
      expect(page.body).toContain('With JavaScript on, this page sends the file in parts');
    } finally {
      await close();
    }
  });

  it('gives the CLI one line: what was asked, the status, the message and the fields', () => {
    const error = new AdminApiError('DELETE /v1/admin/keys/x', 403, 'FORBIDDEN', 'not yours', [
      { path: 'authorization', message: 'a session token' },
    ]);
    expect(error.summary).toBe(
      'DELETE /v1/admin/keys/x failed (403): not yours - authorization: a session token',
    );
  });
});
