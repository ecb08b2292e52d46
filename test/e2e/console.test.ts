import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionSpecs } from '../../infra/functions';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import { csrfToken } from '../../shared/domain/csrf';
import { MESSAGES } from '../../shared/domain/form-messages';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, type Seed, US_CHAT } from '../fixtures/seeds';
import { uniqueEmail } from '../support/local-aws';
import { adminCall, startTestStack, subscriberByEmail } from '../support/stack';

// The support console over HTTP, as a browser without JavaScript would use it: cookies, forms, redirects.
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack('con');
});
afterAll(async () => {
  await stack?.stop();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  cookies: string[];
}

/**
 * A browser's cookie jar for the console, in a few lines. Like a browser without Sec-Fetch-Site, it
 * sends its page's origin with every POST; a header given as '' is left out.
 */
class Visitor {
  cookie = '';

  async request(
    method: string,
    path: string,
    init: {
      form?: Record<string, string | string[]>;
      headers?: Record<string, string>;
      body?: BodyInit;
    } = {},
  ): Promise<Answer> {
    const form = init.form
      ? new URLSearchParams(
          Object.entries(init.form).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
        )
      : undefined;
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: Object.fromEntries(
        Object.entries({
          ...(this.cookie ? { cookie: this.cookie } : {}),
          ...(method !== 'GET' ? { origin: stack.apiUrl } : {}),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...init.headers,
        }).filter(([, value]) => value !== ''),
      ),
      ...(form ? { body: form.toString() } : init.body ? { body: init.body } : {}),
    });
    const cookies = response.headers.getSetCookie();
    for (const set of cookies) {
      const [pair = ''] = set.split(';');
      this.cookie = pair.endsWith('=') ? '' : pair;
    }
    return { status: response.status, headers: response.headers, text: await response.text(), cookies };
  }

  get = (path: string, headers: Record<string, string> = {}) => this.request('GET', path, { headers });
  post = (path: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}) =>
    this.request('POST', path, { form, headers });

  /** The CSRF token the pages of this session carry in their forms. */
  async csrf(): Promise<string> {
    const page = await this.get('/console/suppressions');
    const token = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1];
    if (!token) throw new Error(`no CSRF token on the page (${page.status})`);
    return token;
  }

  static async signedIn(key: string = LOCAL_DEFAULTS.ADMIN_API_KEY): Promise<Visitor> {
    const visitor = new Visitor();
    const answer = await visitor.post('/console/sign-in', { key });
    if (answer.status !== 303) throw new Error(`sign-in failed: ${answer.status}`);
    return visitor;
  }
}

const admin = (method: string, path: string, body?: unknown) => adminCall(stack, method, path, body);
const findSubscriber = async (email: string) => (await subscriberByEmail(stack, email)) as any;
const readKey = async () =>
  (await admin('POST', '/v1/admin/keys', { name: 'console reader', scopes: ['read'] })).body.key as string;

describe('signing in and out', () => {
  it('shows a sign-in form and sets an HttpOnly, SameSite=Lax session cookie for /console only', async () => {
    const visitor = new Visitor();
    const page = await visitor.get('/console');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<label class="block" for="key">API key</label>');
    expect(page.text).toMatch(/<input type="password" id="key" name="key" autocomplete="off"/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    // Its forms tell the console where they come from; other sites still get no referrer.
    expect(page.headers.get('referrer-policy')).toBe('same-origin');

    const signedIn = await visitor.post('/console/sign-in', { key: LOCAL_DEFAULTS.ADMIN_API_KEY });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/console/subscribers');
    expect(signedIn.cookies).toHaveLength(1);
    expect(signedIn.cookies[0]).toMatch(
      /^console_session=sns_[0-9a-f]{12}_[0-9a-f]{64}; Path=\/console; HttpOnly; SameSite=Lax$/,
    );
    expect(signedIn.headers.get('location')).not.toContain(LOCAL_DEFAULTS.ADMIN_API_KEY);
    expect((await visitor.get('/console')).headers.get('location')).toBe('/console/subscribers');

    // Signing in again from the same browser ends the session it had.
    const before = visitor.cookie;
    await visitor.post('/console/sign-in', { key: LOCAL_DEFAULTS.ADMIN_API_KEY });
    const replay = new Visitor();
    replay.cookie = before;
    expect((await replay.get('/console/subscribers')).status).toBe(401);
    expect((await visitor.get('/console/subscribers')).status).toBe(200);
  });

  it('says what is wrong with a key, on the page', async () => {
    const visitor = new Visitor();
    const empty = await visitor.post('/console/sign-in', { key: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Enter your API key');
    const wrong = await visitor.post('/console/sign-in', { key: 'snk_000000000000_wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('There is a problem');
    expect(wrong.text).toContain('That API key is not valid');
    expect(wrong.cookies).toEqual([]);
    const json = await visitor.post('/console/sign-in', { key: 'nope' }, { accept: 'application/json' });
    expect(json.status).toBe(400);
    expect(JSON.parse(json.text).error.details).toEqual([
      { path: 'key', message: expect.stringContaining('not valid') },
    ]);
  });

  it('refuses a sign-in form sent from another site (login CSRF), with or without Sec-Fetch-Site', async () => {
    const key = { key: LOCAL_DEFAULTS.ADMIN_API_KEY };
    const elsewhere: Array<Record<string, string>> = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: stack.apiUrl },
      { origin: 'https://attacker.example' },
      { origin: 'null', referer: `${stack.apiUrl}/console` },
      { origin: '', referer: 'https://attacker.example/login.html' },
      { origin: '' }, // an old browser that says nothing: not taken on trust
    ];
    for (const headers of elsewhere) {
      const visitor = new Visitor();
      const refused = await visitor.post('/console/sign-in', key, headers);
      expect(refused.status, JSON.stringify(headers)).toBe(403);
      expect(refused.text).toContain('This form was sent from another site');
      expect(refused.text).toContain(`Open the console at ${stack.apiUrl}/console`);
      expect(refused.cookies).toEqual([]);
    }
    const ownPages: Array<Record<string, string>> = [
      { 'sec-fetch-site': 'same-origin', origin: 'null' },
      { origin: stack.apiUrl },
      { origin: '', referer: `${stack.apiUrl}/console?signed-out=1` },
    ];
    for (const headers of ownPages) {
      const signedIn = await new Visitor().post('/console/sign-in', key, headers);
      expect(signedIn.status, JSON.stringify(headers)).toBe(303);
    }
  });

  it('signs out: the cookie is cleared and the session is dead even if the cookie is replayed', async () => {
    const visitor = await Visitor.signedIn();
    const stolen = visitor.cookie;
    const out = await visitor.post('/console/sign-out', { csrf: await visitor.csrf() });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/console?signed-out=1');
    expect(out.cookies[0]).toMatch(/^console_session=; Path=\/console; HttpOnly; SameSite=Lax; Max-Age=0$/);
    expect((await visitor.get('/console?signed-out=1')).text).toContain('You are signed out.');

    const replay = new Visitor();
    replay.cookie = stolen;
    const page = await replay.get('/console/subscribers');
    expect(page.status).toBe(401);
    expect(page.text).toContain('Your session ended when you signed out.');
    expect(page.text).toContain('for="key">API key</label>');
    expect(replay.cookie).toBe(''); // cleared
  });

  it('takes only a session token from the cookie: an API key put there is signed out and the cookie cleared', async () => {
    for (const key of [LOCAL_DEFAULTS.ADMIN_API_KEY, await readKey()]) {
      const visitor = new Visitor();
      visitor.cookie = `console_session=${key}`;
      const page = await visitor.get('/console/subscribers');
      expect(page.status).toBe(401);
      expect(page.text).toContain('Sign in to the support console');
      expect(page.cookies).toEqual([expect.stringMatching(/^console_session=; .*Max-Age=0$/)]);
      expect(visitor.cookie).toBe('');

      // Even with the CSRF token such a cookie would give (whoever has the key can compute it).
      visitor.cookie = `console_session=${key}`;
      const email = uniqueEmail('raw-key');
      const write = await visitor.post('/console/suppressions', {
        csrf: csrfToken(key),
        action: 'add',
        email,
      });
      expect(write.status).toBe(401);
      expect(visitor.cookie).toBe('');
      expect((await admin('GET', `/v1/admin/suppressions/${encodeURIComponent(email)}`)).status).toBe(404);

      visitor.cookie = `console_session=${key}`;
      const start = await visitor.get('/console');
      expect(start.status).toBe(200);
      expect(start.text).toContain('for="key">API key</label>');
      expect(visitor.cookie).toBe('');
    }
  });

  it('shows the sign-in page, not a page of data, without a session; JSON clients get a 401', async () => {
    const page = await new Visitor().get('/console/subscribers');
    expect(page.status).toBe(401);
    expect(page.text).toContain('Sign in to the support console');
    const json = await new Visitor().get('/console/subscribers', { accept: 'application/json' });
    expect(json.status).toBe(401);
    expect(JSON.parse(json.text).error.code).toBe('UNAUTHORIZED');
  });
});

describe('forms', () => {
  it('refuse a POST without the session’s CSRF token, or from another site', async () => {
    const visitor = await Visitor.signedIn();
    const email = uniqueEmail('csrf');
    const form = { email, topic: `C#${PAGE_ID}#${US_CHAT}`, level: 'all', confirmed: 'true' };
    const missing = await visitor.post('/console/subscribers', form);
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('This form has expired or did not come from the console');
    const other = await Visitor.signedIn();
    const foreign = await visitor.post('/console/subscribers', { ...form, csrf: await other.csrf() });
    expect(foreign.status).toBe(403);
    const crossSite = await visitor.post(
      '/console/subscribers',
      { ...form, csrf: await visitor.csrf() },
      { 'sec-fetch-site': 'cross-site' },
    );
    expect(crossSite.status).toBe(403);
    expect(await findSubscriber(email)).toBeUndefined();

    const added = await visitor.post('/console/subscribers', { ...form, csrf: await visitor.csrf() });
    expect(added.status).toBe(303);
    const created = await findSubscriber(email);
    expect(created).toMatchObject({ status: 'confirmed', level: 'all' });
    expect(added.headers.get('location')).toBe(`/console/subscribers/${created.id}?done=added`);
    expect((await visitor.get(added.headers.get('location') ?? '')).text).toContain('Subscriber added.');
  });

  it('refuse every POST route without this session’s token or from another site, before reading it', async () => {
    const { body: subscriber } = await admin('POST', '/v1/admin/subscribers', {
      email: uniqueEmail('csrf-table'),
      topics: [{ pageId: PAGE_ID }],
      confirmed: true,
    });
    const victim = await Visitor.signedIn();
    const other = await Visitor.signedIn();
    const foreign = await other.csrf();
    const suppressed = uniqueEmail('csrf-suppressed');
    const imported = uniqueEmail('csrf-imported');
    const csv = `email,page\n${imported},${PAGE_ID}\n`;
    const csrfPage = `csrf${randomUUID().slice(0, 6)}`;
    const multipart = (csrf?: string) => {
      const form = new FormData();
      if (csrf !== undefined) form.set('csrf', csrf);
      form.set('mode', 'import');
      form.set('file', new Blob([csv], { type: 'text/csv' }), 'subscribers.csv');
      return form;
    };
    const path = `/console/subscribers/${subscriber.id}`;
    // Every console route that is not a GET, each with a form that would otherwise be carried out.
    const routes: Array<[string, string, (csrf?: string) => Promise<Answer>]> = [
      [
        '/console/sign-out',
        'sign out',
        (csrf) => victim.post('/console/sign-out', { ...(csrf ? { csrf } : {}) }),
      ],
      [
        '/console/subscribers',
        'add a subscriber',
        (csrf) =>
          victim.post('/console/subscribers', {
            ...(csrf ? { csrf } : {}),
            email: uniqueEmail('csrf-add'),
            topic: `P#${PAGE_ID}`,
            level: 'all',
          }),
      ],
      [
        '/console/subscribers/{id}',
        'suppress a subscriber',
        (csrf) => victim.post(path, { ...(csrf ? { csrf } : {}), action: 'suppress' }),
      ],
      [
        '/console/subscribers/{id}/remove',
        'remove a subscriber',
        (csrf) => victim.post(`${path}/remove`, { ...(csrf ? { csrf } : {}) }),
      ],
      [
        '/console/suppressions',
        'suppress an address',
        (csrf) =>
          victim.post('/console/suppressions', {
            ...(csrf ? { csrf } : {}),
            action: 'add',
            email: suppressed,
          }),
      ],
      [
        '/console/pages',
        'import a page’s components',
        (csrf) =>
          victim.post('/console/pages', {
            ...(csrf ? { csrf } : {}),
            page: csrfPage,
            components: JSON.stringify([{ id: 'csrfcomponent', name: 'Component' }]),
          }),
      ],
      [
        '/console/import',
        'import a file (form)',
        (csrf) => victim.request('POST', '/console/import', { body: multipart(csrf) }),
      ],
      [
        '/console/import',
        'import a part (console.js)',
        (csrf) =>
          victim.request('POST', '/console/import?dryRun=false', {
            headers: {
              'content-type': 'text/csv',
              accept: 'application/json',
              ...(csrf ? { 'x-csrf-token': csrf } : {}),
            },
            body: csv,
          }),
      ],
    ];
    const posted = functionSpecs.console.routes
      .filter((r) => r.method !== 'GET' && r.path !== '/console/sign-in')
      .map((r) => r.path);
    expect([...new Set(routes.map(([route]) => route))].sort()).toEqual(posted.sort());

    const ownToken = await victim.csrf();
    for (const [, what, send] of routes) {
      for (const [token, kind] of [
        [undefined, 'no token'],
        [foreign, 'another session’s token'],
      ] as const) {
        const refused = await send(token);
        expect(refused.status, `${what}: ${kind}`).toBe(403);
        expect(refused.text, `${what}: ${kind}`).toMatch(/did not come from the console/);
      }
    }
    // With its own token but from another site's page (a browser without Sec-Fetch-Site).
    const crossSite = await victim.post(
      '/console/suppressions',
      { csrf: ownToken, action: 'add', email: suppressed },
      { origin: 'https://attacker.example' },
    );
    expect(crossSite.status).toBe(403);
    expect(crossSite.text).toContain('This form was sent from another site');

    // Nothing happened: still signed in, the subscriber there and not suppressed, nothing imported.
    expect((await victim.get('/console/subscribers')).status).toBe(200);
    expect(await findSubscriber(subscriber.email)).toMatchObject({ id: subscriber.id });
    for (const email of [subscriber.email, suppressed])
      expect((await admin('GET', `/v1/admin/suppressions/${encodeURIComponent(email)}`)).status).toBe(404);
    expect(await findSubscriber(imported)).toBeUndefined();
    const catalog = (await admin('GET', '/v1/catalog')).body as { pages: Array<{ id: string }> };
    expect(catalog.pages.map((p) => p.id)).not.toContain(csrfPage);
  });

  it('come back with the problems named on the page, and as JSON for JSON clients', async () => {
    const visitor = await Visitor.signedIn();
    const csrf = await visitor.csrf();
    const bad = await visitor.post('/console/subscribers', { csrf, email: 'not-an-address', level: 'all' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('<title>Error: Subscribers – Support console</title>');
    expect(bad.text).toContain(MESSAGES.emailFormat);
    expect(bad.text).toContain(MESSAGES.noTopics);
    expect(bad.text).toContain('value="not-an-address"');

    const taken = uniqueEmail('taken');
    await admin('POST', '/v1/admin/subscribers', {
      email: taken,
      topics: [{ pageId: PAGE_ID }],
      confirmed: true,
    });
    const conflict = await visitor.post('/console/subscribers', {
      csrf,
      email: taken,
      topic: `P#${PAGE_ID}`,
      level: 'all',
    });
    expect(conflict.status).toBe(400);
    expect(conflict.text).toContain('That address is already a subscriber');

    const json = await visitor.post(
      '/console/subscribers',
      { csrf, email: '' },
      { accept: 'application/json' },
    );
    expect(json.status).toBe(400);
    expect(JSON.parse(json.text).error).toMatchObject({
      code: 'VALIDATION',
      details: expect.arrayContaining([{ path: 'email', message: MESSAGES.emailMissing }]),
    });
  });

  it('take a field sent twice (a doubled or forged form) by its first value, not a raw 400', async () => {
    const visitor = await Visitor.signedIn();
    const csrf = await visitor.csrf();
    const [first, second] = [uniqueEmail('twice-a'), uniqueEmail('twice-b')];
    const suppressed = await visitor.post('/console/suppressions', {
      csrf: [csrf, 'not-the-token'],
      action: ['add', 'lift'],
      email: [first, second],
      reason: ['first reason', 'second reason'],
    });
    expect(suppressed.headers.get('location')).toBe('/console/suppressions?done=suppressed');
    expect((await admin('GET', `/v1/admin/suppressions/${encodeURIComponent(first)}`)).body).toMatchObject({
      reason: 'first reason',
    });
    expect((await admin('GET', `/v1/admin/suppressions/${encodeURIComponent(second)}`)).status).toBe(404);

    const added = await visitor.post('/console/subscribers', {
      csrf,
      email: [second, first],
      topic: `P#${PAGE_ID}`,
      level: ['major', 'all'],
      confirmed: ['true', 'false'],
    });
    expect(added.status).toBe(303);
    expect(await findSubscriber(second)).toMatchObject({ level: 'major', status: 'confirmed' });

    const path = `/console/subscribers/${(await findSubscriber(second)).id}`;
    const changed = await visitor.post(path, { csrf, action: ['suppress', 'save'], level: 'all' });
    expect(changed.headers.get('location')).toBe(`${path}?done=suppressed`);

    const bad = await visitor.post('/console/suppressions', {
      csrf,
      action: ['remove', 'add'],
      email: first,
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('The form asked for something the console does not do');
    expect(bad.text).not.toMatch(/expected string/i);
  });

  it('escape every value they show back', async () => {
    const visitor = await Visitor.signedIn();
    const search = await visitor.get(
      `/console/subscribers?email=${encodeURIComponent('"><script>alert(1)</script>')}`,
    );
    expect(search.status).toBe(200);
    expect(search.text).not.toContain('<script>alert(1)');
    expect(search.text).toContain('&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;');
  });
});

describe('the topic tree on a subscriber page', () => {
  it('narrows a followed region when one of its components is unticked, and widens to one ticked now', async () => {
    const email = uniqueEmail('con-tree');
    const region = `G#${PAGE_ID}#grp1produs01`;
    const chat = `C#${PAGE_ID}#${US_CHAT}`;
    const created = await admin('POST', '/v1/admin/subscribers', {
      email,
      confirmed: true,
      topics: [{ pageId: PAGE_ID, groupId: 'grp1produs01' }],
    });
    const visitor = await Visitor.signedIn();
    const csrf = await visitor.csrf();
    const path = `/console/subscribers/${created.body.id}`;
    // Without the script the region's box stays ticked: what was unticked is Channel - Email.
    const narrowed = await visitor.post(path, { csrf, action: 'save', topic: [region, chat], level: 'all' });
    expect(narrowed.status).toBe(303);
    expect((await findSubscriber(email)).topics.map((t: { key: string }) => t.key)).toEqual([chat]);
    const widened = await visitor.post(path, { csrf, action: 'save', topic: [region, chat], level: 'all' });
    expect(widened.status).toBe(303);
    expect((await findSubscriber(email)).topics.map((t: { key: string }) => t.key)).toEqual([region]);
  });
});

describe('read and write', () => {
  it('a read key sees everything, changes nothing, and is told why', async () => {
    const email = uniqueEmail('ro');
    const { body: subscriber } = await admin('POST', '/v1/admin/subscribers', {
      email,
      topics: [{ pageId: PAGE_ID }],
      confirmed: true,
    });
    const reader = await Visitor.signedIn(await readKey());
    const list = await reader.get('/console/subscribers');
    expect(list.status).toBe(200);
    expect(list.text).toContain(
      'Your key can only read: ask for a key with the write scope to change subscribers.',
    );
    expect(list.text).not.toContain('Add subscriber</button>');
    const page = await reader.get(`/console/subscribers/${subscriber.id}`);
    expect(page.text).toContain(email);
    expect(page.text).not.toContain('Save changes');
    expect(page.text).not.toContain('>Suppress<');
    expect((await reader.get(`/console/subscribers/${subscriber.id}/remove`)).status).toBe(403);

    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? ''; // the sign-out form's
    const refused = await reader.post('/console/suppressions', { csrf, action: 'add', email });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Your key can only read');
    expect((await admin('GET', `/v1/admin/suppressions/${encodeURIComponent(email)}`)).status).toBe(404);
  });

  it('a write key suppresses, lifts, changes topics and removes (after a confirmation page)', async () => {
    const email = uniqueEmail('rw');
    const { body: subscriber } = await admin('POST', '/v1/admin/subscribers', {
      email,
      topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
      confirmed: true,
    });
    const visitor = await Visitor.signedIn();
    const csrf = await visitor.csrf();
    const path = `/console/subscribers/${subscriber.id}`;

    // What they follow, in the words the mails use.
    expect((await visitor.get(path)).text).toContain('<li>Channel - Chat in Prod1 (US) (Kustomer)</li>');
    expect((await visitor.post(path, { csrf, action: 'suppress' })).headers.get('location')).toBe(
      `${path}?done=suppressed`,
    );
    expect((await visitor.get(`${path}?done=suppressed`)).text).toContain('Lift suppression');
    await visitor.post(path, { csrf, action: 'lift' });
    expect((await admin('GET', `/v1/admin/suppressions/${encodeURIComponent(email)}`)).status).toBe(404);

    // A region ticked with its components (what a tree without JavaScript sends) is stored as the region.
    const saved = await visitor.post(path, {
      csrf,
      action: 'save',
      topic: [`G#${PAGE_ID}#grp1produs01`, `C#${PAGE_ID}#${US_CHAT}`],
      level: 'lifecycle',
    });
    expect(saved.headers.get('location')).toBe(`${path}?done=saved`);
    expect(await findSubscriber(email)).toMatchObject({
      level: 'lifecycle',
      topics: [{ key: `G#${PAGE_ID}#grp1produs01` }],
    });
    expect((await visitor.get(path)).text).toContain('<li>Everything in Prod1 (US) (Kustomer)</li>');
    const none = await visitor.post(path, { csrf, action: 'save', level: 'all' });
    expect(none.status).toBe(400);
    expect(none.text).toContain(`${MESSAGES.noTopics}: to stop all mail, suppress the address`);

    const confirm = await visitor.get(`${path}/remove`);
    expect(confirm.text).toContain(`Remove ${email}?`);
    expect(confirm.text).toContain('This cannot be undone.');
    expect(await findSubscriber(email)).toBeDefined(); // looking at the confirmation removes nothing
    const removed = await visitor.post(`${path}/remove`, { csrf });
    expect(removed.headers.get('location')).toBe('/console/subscribers?done=removed');
    expect(await findSubscriber(email)).toBeUndefined();
    expect((await visitor.get(path)).status).toBe(404);
  });
});

describe('import, export and incidents', () => {
  it('imports without JavaScript: a check first, then the import, each with the per-row report', async () => {
    const visitor = await Visitor.signedIn();
    const csrf = await visitor.csrf();
    const marker = randomUUID().slice(0, 8);
    const csv = `email,page,region,component\n${marker}-a@example.com,${PAGE_ID},Prod1 (US),Channel - Chat\nnot an address,${PAGE_ID},,\n${marker}-b@example.com,${PAGE_ID},,\n`;
    const upload = async (mode: string) => {
      const form = new FormData();
      form.set('csrf', csrf);
      form.set('mode', mode);
      form.set('file', new Blob([csv], { type: 'text/csv' }), 'subscribers.csv');
      return visitor.request('POST', '/console/import', { body: form });
    };
    const check = await upload('check');
    expect(check.status).toBe(200);
    expect(check.text).toContain('Check finished: nothing was written');
    expect(check.text).toMatch(/<dt>Would be added<\/dt><dd>2<\/dd>/);
    expect(check.text).toMatch(
      /<td class="num">3<\/td><td class="text">not an email address: &#34;not an address&#34;<\/td>/,
    );
    expect(await findSubscriber(`${marker}-a@example.com`)).toBeUndefined();

    const done = await upload('import');
    expect(done.text).toContain('Import finished');
    expect(done.text).toMatch(/<dt>Added<\/dt><dd>2<\/dd>/);
    expect(await findSubscriber(`${marker}-a@example.com`)).toMatchObject({ status: 'confirmed' });

    // What console.js sends: one part of the file as text/csv, the token in a header, JSON back.
    const part = await visitor.request('POST', '/console/import?dryRun=true', {
      headers: { 'content-type': 'text/csv', accept: 'application/json', 'x-csrf-token': csrf },
      body: csv,
    });
    expect(JSON.parse(part.text)).toMatchObject({
      imported: 0,
      unchanged: 2,
      rejected: [{ line: 3 }],
      dryRun: true,
    });
    const noToken = await visitor.request('POST', '/console/import?dryRun=true', {
      headers: { 'content-type': 'text/csv', accept: 'application/json' },
      body: csv,
    });
    expect(noToken.status).toBe(403);

    const empty = new FormData();
    empty.set('csrf', csrf);
    empty.set('file', new Blob([]), '');
    const nothing = await visitor.request('POST', '/console/import', { body: empty });
    expect(nothing.status).toBe(400);
    expect(nothing.text).toContain('Choose a CSV file');
    const wrongHeader = new FormData();
    wrongHeader.set('csrf', csrf);
    wrongHeader.set('file', new Blob(['name,address\nx,y\n']), 'x.csv');
    const header = await visitor.request('POST', '/console/import', { body: wrongHeader });
    expect(header.status).toBe(400);
    expect(header.text).toContain('The first line must be a header with email and page');
  });

  it('exports every subscriber as a CSV download', async () => {
    const visitor = await Visitor.signedIn();
    const csv = await visitor.get('/console/export');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toMatch(
      /^attachment; filename="subscribers-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(csv.text.split('\n')[0]).toBe('id,email,status,level,page,region,component,channel');
  });

  it('finds an incident by Statuspage’s id and shows its per-update counts', async () => {
    const seed: Seed = { ...chatMessagesMayFail, id: `c${randomUUID().slice(0, 10)}` };
    await fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(incidentWebhook(seed, 2)),
    });
    await stack.waitForIdle();
    const visitor = await Visitor.signedIn();
    const found = await visitor.get(`/console/incidents?id=${seed.id}`);
    expect(found.status).toBe(303);
    const id = `statuspage:${PAGE_ID}:${seed.id}`;
    expect(found.headers.get('location')).toBe(`/console/incidents/${encodeURIComponent(id)}`);
    const incident = await visitor.get(found.headers.get('location') ?? '');
    expect(incident.text).toContain(`<h1>${seed.name}</h1>`);
    for (const column of ['Matched', 'Sent', 'Failed', 'Skipped', 'Bounced'])
      expect(incident.text).toContain(`>${column}</th>`);
    const missing = await visitor.get('/console/incidents?id=nosuchincident');
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('No incident nosuchincident here');
  });
});

describe('every page', () => {
  it('answers bad input and unknown addresses with a page in words (JSON when asked), never a 500', async () => {
    const visitor = await Visitor.signedIn();
    const cases: Array<[string, number, string]> = [
      ['/console/subscribers/no-such-subscriber', 404, 'No subscriber no-such-subscriber'],
      ['/console/subscribers?status=bogus', 400, 'Choose a status from the list'],
      ['/console/subscribers/%E0%A4%A', 400, 'This link is broken'],
      ['/console/incidents/nope', 404, 'No incident nope'],
      ['/console/no/such/page', 404, 'There is no console page at this address.'],
      [`/console/subscribers?cursor=${'x'.repeat(20)}`, 400, ''],
    ];
    for (const [path, status, words] of cases) {
      const page = await visitor.get(path);
      expect(page.status, path).toBe(status);
      expect(page.headers.get('content-type'), path).toContain('text/html');
      expect(page.text, path).toContain(words);
      const json = await visitor.get(path, { accept: 'application/json' });
      expect(json.status, path).toBe(status);
      expect(JSON.parse(json.text).error.message, path).toEqual(expect.any(String));
    }
    const garbage = await visitor.request('POST', '/console/subscribers', {
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: 'not multipart at all',
    });
    expect(garbage.status).toBe(400);
    expect(garbage.text).toContain('the form could not be read');
  });

  it('weighs under 50 KB with its stylesheet and scripts, with full pages of rows', async () => {
    const visitor = await Visitor.signedIn();
    const long = (i: number) =>
      `someone-with-a-rather-long-name-${i}-${randomUUID().slice(0, 8)}@example-company.com`;
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        Promise.all([
          admin('POST', '/v1/admin/suppressions', {
            email: long(i),
            reason: 'hard bounce from the recipient server',
          }),
          admin('POST', '/v1/admin/subscribers', {
            email: long(i),
            topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
            confirmed: true,
          }),
        ]),
      ),
    );
    const { body: subscriber } = await admin('POST', '/v1/admin/subscribers', {
      email: uniqueEmail('weight'),
      topics: [{ pageId: PAGE_ID }],
      confirmed: true,
    });
    const assets = new Map<string, number>();
    for (const path of [
      '/console/subscribers',
      `/console/subscribers/${subscriber.id}`,
      `/console/subscribers/${subscriber.id}/remove`,
      '/console/suppressions',
      '/console/import',
      '/console/incidents',
    ]) {
      const page = await visitor.get(path);
      let bytes = Buffer.byteLength(page.text);
      for (const [, asset] of page.text.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)) {
        if (!assets.has(asset ?? ''))
          assets.set(asset ?? '', (await (await fetch(`${stack.apiUrl}${asset}`)).arrayBuffer()).byteLength);
        bytes += assets.get(asset ?? '') ?? 0;
      }
      page.headers.forEach((value, name) => {
        bytes += name.length + value.length + 4;
      });
      expect(bytes, path).toBeLessThan(50 * 1024);
    }
  });
});
