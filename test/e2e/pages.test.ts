import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack';
import { PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { mailTo, uniqueEmail } from '../support/local-aws';
import { startTestStack } from '../support/stack';

// The customer pages over plain HTTP: every bad input is a readable page (or JSON when asked), never a
// 500, and the headers that keep pages safe are on every one.
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack('pages', {
    env: {
      SUBSCRIBE_LIMIT_PER_IP: '1000',
      SUBSCRIBE_LIMIT_PER_ADDRESS: '2',
      SUBSCRIBE_EMBED_ORIGINS: 'https://status.example.com, https://www.example.com/any/path',
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

const form = (fields: Array<[string, string]>) => new URLSearchParams(fields).toString();
const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };

async function post(path: string, body: string, headers: Record<string, string> = formHeaders) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: 'POST',
    headers,
    body,
    redirect: 'manual',
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function get(path: string, headers: Record<string, string> = { accept: 'text/html' }) {
  const response = await fetch(`${stack.apiUrl}${path}`, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('subscribe form', () => {
  it('shows the one page at /subscribe, with the escaping of every catalog value', async () => {
    const page = await get('/subscribe');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<legend>Prod1 (US)</legend>');
    expect(page.text).toContain('All of Prod1 (US), including components added later');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('answers mistakes on the form, and the same mistakes as JSON to a client that asks for JSON', async () => {
    const fields: Array<[string, string]> = [
      ['page', PAGE_ID],
      ['email', 'nobody'],
    ];
    const page = await post('/subscribe', form(fields));
    expect(page.status).toBe(400);
    expect(page.text).toContain('<h2 id="error-summary-title">There is a problem</h2>');
    expect(page.text).toContain('href="#email">Enter an email address in the correct format');
    expect(page.text).toContain('Choose at least one component, region or the whole page');
    expect(page.text).toContain('value="nobody"');

    const answer = await post('/subscribe', form(fields), { ...formHeaders, accept: 'application/json' });
    expect(answer.status).toBe(400);
    const body = JSON.parse(answer.text);
    expect(body.error.code).toBe('VALIDATION');
    expect(body.error.details).toEqual(
      expect.arrayContaining([
        { path: 'email', message: 'Enter an email address in the correct format, like name@example.com' },
        { path: 'topics', message: 'Choose at least one component, region or the whole page' },
      ]),
    );
  });

  it('says the same words through the JSON API', async () => {
    const response = await fetch(`${stack.apiUrl}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: '', topics: [] }),
    });
    const body = await response.json();
    expect(body.error.details.map((d: { message: string }) => d.message)).toEqual([
      'Enter your email address',
      'Choose at least one component, region or the whole page',
    ]);
  });

  it('escapes what was typed and refuses forged choices in words', async () => {
    const page = await post(
      '/subscribe',
      form([
        ['page', PAGE_ID],
        ['email', '"><script>alert(1)</script>'],
        ['topic', 'P#<img src=x onerror=alert(1)>'],
        ['topic', 'nonsense'],
      ]),
    );
    expect(page.status).toBe(400);
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).toContain('&#34;&#62;&#60;script&#62;');
    expect(page.text).toContain('One of the choices is not on this page any more');
  });

  it('answers an unknown page, a missing page and a body that is not a form as pages', async () => {
    const unknown = await get('/subscribe?page=nope');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('There is no status page with that name here.');
    const noPage = await post('/subscribe', form([['email', 'a@example.com']]));
    expect(noPage.status).toBe(400);
    expect(noPage.text).toContain('the form names no status page');
    const notAForm = await post('/subscribe', '{"email":"a@example.com"}', {
      'content-type': 'application/json',
      accept: 'text/html',
    });
    expect(notAForm.status).toBe(415);
    expect(notAForm.text).toContain('expected a form');
  });

  it('answers the per-address limit with a page that says when to try again', async () => {
    const email = uniqueEmail('limit');
    const fields = form([
      ['page', PAGE_ID],
      ['email', email],
      ['topic', `C#${PAGE_ID}#${US_CHAT}`],
    ]);
    expect((await post('/subscribe', fields)).status).toBe(200);
    expect((await post('/subscribe', fields)).status).toBe(200);
    const limited = await post('/subscribe', fields);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.text).toContain('Too many requests');
    expect(await mailTo([email])).toHaveLength(1); // and the one confirmation went out once
  });

  it('lets only the configured origins frame the embeddable form', async () => {
    const embed = await get(`/subscribe/embed?page=${PAGE_ID}`);
    expect(embed.headers.get('content-security-policy')).toContain(
      'frame-ancestors https://status.example.com https://www.example.com',
    );
    expect(embed.text).toContain('<input type="hidden" name="embed" value="1">');
    expect(embed.text).not.toContain('class="masthead"');
  });
});

describe('pages behind the links in mail', () => {
  it('answer a missing, malformed or dead token with a page, never a 500', async () => {
    const missing = await get('/v1/confirm');
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('this link is incomplete');
    for (const path of ['/v1/confirm', '/v1/unsubscribe', '/v1/preferences']) {
      const dead = await get(`${path}?token=c.bad.token`);
      expect(dead.status).toBe(404);
      expect(dead.headers.get('content-type')).toContain('text/html');
      expect(dead.text).toContain('this link is invalid, was already used, or has expired');
      expect(dead.headers.get('referrer-policy')).toBe('no-referrer');
    }
    const forged = await post('/v1/preferences?token=m.bad.token', form([['action', 'save']]));
    expect(forged.status).toBe(404);
  });
});

describe('assets', () => {
  it('serves the stylesheet and script for a year under a versioned URL, briefly without one', async () => {
    const page = await get(`/subscribe?page=${PAGE_ID}`);
    const [, css] = /href="(\/assets\/site\.css\?v=[^"]+)"/.exec(page.text) ?? [];
    const [, js] = /src="(\/assets\/site\.js\?v=[^"]+)"/.exec(page.text) ?? [];
    const versioned = await get(css ?? '');
    expect(versioned.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(versioned.headers.get('cache-control')).toContain('immutable');
    expect((await get(js ?? '')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await get('/assets/site.css')).headers.get('cache-control')).toBe('public, max-age=300');
    expect((await get('/assets/nothing.js')).status).toBe(404);
  });
});
