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
    expect(noPage.text).toContain('The form names no status page');
    const notAForm = await post('/subscribe', '{"email":"a@example.com"}', {
      'content-type': 'application/json',
      accept: 'text/html',
    });
    expect(notAForm.status).toBe(415);
    expect(notAForm.text).toContain('Expected a form');
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
    expect(embed.text).toContain('Get Kustomer status updates'); // one page: the form, not a list
  });

  it('keeps every answer of the embedded form in the frame: the result, its links, and mistakes', async () => {
    const done = await post(
      '/subscribe',
      form([
        ['page', PAGE_ID],
        ['email', uniqueEmail('framed')],
        ['topic', `C#${PAGE_ID}#${US_CHAT}`],
        ['embed', '1'],
      ]),
    );
    expect(done.headers.get('content-security-policy')).toContain(
      'frame-ancestors https://status.example.com',
    );
    expect(done.text).toContain(`href="/subscribe/embed?page=${PAGE_ID}"`);
    const unknown = await get('/subscribe/embed?page=nope');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-security-policy')).toContain(
      'frame-ancestors https://status.example.com',
    );
    expect(unknown.text).toContain('href="/subscribe/embed"');
  });
});

describe('preferences without JavaScript', () => {
  /** Subscribes through the form and confirms through the mail; answers the preferences page's path. */
  async function confirmedPreferences(topics: string[]) {
    const email = uniqueEmail('tree');
    await post(
      '/subscribe',
      form([['page', PAGE_ID], ['email', email], ...topics.map((t) => ['topic', t] as [string, string])]),
    );
    const text = (await mailTo([email])).at(-1)?.body.text ?? '';
    const confirm = new URL(/https?:\/\/\S+\/v1\/confirm\?token=\S+/.exec(text)?.[0] ?? '');
    const confirmed = await post(`${confirm.pathname}${confirm.search}`, '');
    return (/href="(\/v1\/preferences\?token=[^"]+)"/.exec(confirmed.text)?.[1] ?? '').replaceAll(
      '&#38;',
      '&',
    );
  }
  const region = `G#${PAGE_ID}#grp1produs01`;
  const chat = `C#${PAGE_ID}#${US_CHAT}`;
  const mail = `C#${PAGE_ID}#cmpemailus01`;
  const keysOf = async (path: string) =>
    (
      JSON.parse((await get(path, { accept: 'application/json' })).text) as { topics: Array<{ key: string }> }
    ).topics
      .map((t) => t.key)
      .sort();

  it('narrows a followed region when one of its ticked components is unticked, and says so', async () => {
    const path = await confirmedPreferences([region]);
    const page = await get(path);
    expect(page.text).toMatch(new RegExp(`value="${region}" checked`));
    expect(page.text).toMatch(new RegExp(`value="${mail}" checked`));
    expect(page.text).not.toContain('>Remove<'); // the only topic goes with "Unsubscribe from everything"

    // The browser sends what stays ticked: the region's box and Chat (Email was unticked).
    const saved = await post(
      path,
      form([
        ['action', 'save'],
        ['topic', region],
        ['topic', chat],
        ['level', 'all'],
      ]),
    );
    expect(saved.status).toBe(200);
    expect(saved.text).toContain('Added Channel - Chat in Prod1 (US) (Kustomer)');
    expect(saved.text).toContain('Removed everything in Prod1 (US) (Kustomer)');
    expect(await keysOf(path)).toEqual([chat]);

    // Ticking the region now (Chat still ticked from before) widens to the whole region.
    const widened = await post(
      path,
      form([
        ['topic', region],
        ['topic', chat],
      ]),
    );
    expect(widened.text).toContain('Added everything in Prod1 (US) (Kustomer)');
    expect(widened.text).not.toContain('Removed');
    expect(await keysOf(path)).toEqual([region]);
  });

  it('refuses an empty tree on the form in words, keeping the level that was chosen', async () => {
    const path = await confirmedPreferences([chat]);
    const page = await post(
      path,
      form([
        ['action', 'save'],
        ['level', 'major'],
      ]),
    );
    expect(page.status).toBe(400);
    expect(page.text).toContain('Choose at least one component, region or the whole page, or unsubscribe');
    expect(page.text).toMatch(/value="major" checked/);
    expect(await keysOf(path)).toEqual([chat]);
  });

  it('takes the first of a field sent twice instead of failing on it', async () => {
    const path = await confirmedPreferences([chat]);
    const page = await post(
      path,
      form([
        ['topic', chat],
        ['level', 'major'],
        ['level', 'all'],
      ]),
    );
    expect(page.status).toBe(200);
    expect(page.text).toContain('How often: Every update → Major incidents only');
  });
});

describe('pages behind the links in mail', () => {
  it('answer a missing, malformed or dead token with a page, never a 500', async () => {
    const missing = await get('/v1/confirm');
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('This link is incomplete');
    for (const path of ['/v1/confirm', '/v1/unsubscribe', '/v1/preferences']) {
      const dead = await get(`${path}?token=c.bad.token`);
      expect(dead.status).toBe(404);
      expect(dead.headers.get('content-type')).toContain('text/html');
      expect(dead.text).toContain('This link is invalid, was already used, or has expired');
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
