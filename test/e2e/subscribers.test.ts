import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import {
  chatMessagesMayFail,
  EU_CHAT,
  incidentWebhook,
  PAGE_ID,
  type Seed,
  US_CHAT,
} from '../fixtures/seeds';
import { header, mailTo, uniqueEmail } from '../support/local-aws';
import { adminHeaders, startTestStack } from '../support/stack';

// Customer self-service and the support team's tools, through the local stack's HTTP API.
let stack: LocalStack;
const bootstrap = adminHeaders;

beforeAll(async () => {
  stack = await startTestStack(
    'sub',
    // Every request here comes from 127.0.0.1: the per-IP limit is tested on its own below.
    { env: { SUBSCRIBE_LIMIT_PER_IP: '1000' } },
  );
});
afterAll(async () => {
  await stack?.stop();
});

async function call(
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
) {
  const response = await fetch(path.startsWith('http') ? path : `${stack.apiUrl}${path}`, {
    method,
    ...init,
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    headers: response.headers,
    body: type.includes('json') ? JSON.parse(text) : text,
  };
}

const subscribe = (
  email: string,
  topics: object[] = [{ pageId: PAGE_ID, componentId: US_CHAT }],
  level?: string,
) =>
  call('POST', '/v1/subscriptions', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, topics, ...(level ? { level } : {}) }),
  });

/** The link of a kind (confirm, preferences, unsubscribe) in the newest mail to `email`. */
async function linkIn(email: string, path: string): Promise<string> {
  const mails = await mailTo([email]);
  const text = mails.at(-1)?.body.text ?? '';
  const link = new RegExp(`https?://[^\\s]+${path}\\?token=[^\\s]+`).exec(text)?.[0];
  if (!link) throw new Error(`no ${path} link in the last mail to ${email}: ${text}`);
  return link;
}

async function statusOf(email: string): Promise<string | undefined> {
  const found = await call('GET', `/v1/admin/subscribers?email=${encodeURIComponent(email)}`, {
    headers: bootstrap,
  });
  return found.body.items.find((s: { email: string }) => s.email === email)?.status;
}

async function notify(seed: Seed, count: number) {
  await call('POST', `/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(incidentWebhook(seed, count)),
  });
  await stack.waitForIdle();
}

const freshSeed = (overrides: Partial<Seed> = {}): Seed => ({
  ...chatMessagesMayFail,
  id: `s${randomUUID().slice(0, 10)}`,
  ...overrides,
});
const incidentMails = async (email: string) =>
  (await mailTo([email])).filter((m) => header(m, 'References') !== undefined);

describe('customers', () => {
  it('double opt-in that a mail scanner cannot trigger', async () => {
    const email = uniqueEmail('optin');
    expect((await subscribe(email)).status).toBe(202);
    const [confirmation] = await mailTo([email]);
    expect(confirmation?.subject).toBe('Confirm your status update subscription');
    expect(confirmation?.body.text).toContain('Channel - Chat in Prod1 (US) (Kustomer)');
    expect(confirmation?.headers?.some((h) => h.name === 'List-Unsubscribe')).toBeFalsy(); // transactional

    const link = await linkIn(email, '/v1/confirm');
    const page = await call('GET', link);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<form method="post"');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await statusOf(email)).toBe('pending'); // looking at the page confirms nothing

    expect((await call('POST', link)).status).toBe(200);
    expect(await statusOf(email)).toBe('confirmed');
    // Used once: the same link no longer works, on GET or POST.
    expect((await call('GET', link)).status).toBe(404);
    expect((await call('POST', link)).status).toBe(404);
  });

  it('answers the same whatever the address, and mails a pending address again only after a while', async () => {
    const email = uniqueEmail('enum');
    const fresh = await subscribe(email);
    const pending = await subscribe(email);
    await call('POST', await linkIn(email, '/v1/confirm'));
    const confirmed = await subscribe(email);
    expect([fresh, pending, confirmed].map((r) => [r.status, r.body])).toEqual(
      Array(3).fill([202, fresh.body]),
    );
    // One confirmation for two requests minutes apart at most; none for the confirmed address (throttled too).
    expect((await mailTo([email])).map((m) => m.subject)).toEqual([
      'Confirm your status update subscription',
    ]);
  });

  it('refuses forged, wrong-scope and tampered tokens alike', async () => {
    const email = uniqueEmail('forge');
    await subscribe(email);
    const confirm = await linkIn(email, '/v1/confirm');
    const token = new URL(confirm).searchParams.get('token') ?? '';
    const [id] = token.split('.');
    const attempts = [
      `${id}.c.${'A'.repeat(43)}`, // forged secret
      token.replace('.c.', '.m.'), // confirm token presented as a manage token
      `${id}x.c.${token.split('.')[2]}`, // another subscriber
      'not-a-token',
    ];
    for (const forged of attempts) {
      expect((await call('POST', `/v1/confirm?token=${encodeURIComponent(forged)}`)).status).toBe(404);
      expect((await call('GET', `/v1/preferences?token=${encodeURIComponent(forged)}`)).status).toBe(404);
    }
    expect((await call('GET', confirm.replace('/v1/confirm', '/v1/unsubscribe'))).status).toBe(404);
    expect(await statusOf(email)).toBe('pending');
  });

  it('limits subscribe requests per address with a clear 429', async () => {
    const email = uniqueEmail('bomb');
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await subscribe(email));
    expect(answers.slice(0, 5).every((a) => a.status === 202)).toBe(true);
    expect(answers[5]?.status).toBe(429);
    expect(Number(answers[5]?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(answers[5]?.body.error.code).toBe('RATE_LIMITED');
  });

  it('unsubscribes in one click (RFC 8058) and sends nothing after', async () => {
    const email = uniqueEmail('oneclick');
    await subscribe(email);
    await call('POST', await linkIn(email, '/v1/confirm'));
    const seed = freshSeed();
    await notify(seed, 1);
    const [mail] = await incidentMails(email);
    const unsubscribeHeader = mail?.headers?.find((h) => h.name === 'List-Unsubscribe')?.value ?? '';
    const url = unsubscribeHeader.slice(1, -1);
    expect((await call('GET', url)).body).toContain('Unsubscribe'); // the page: nothing happens yet
    expect(await statusOf(email)).toBe('confirmed');

    const oneClick = {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    };
    expect((await call('POST', url, oneClick)).status).toBe(200);
    expect((await call('POST', url, oneClick)).status).toBe(200); // repeating it is harmless
    expect(await statusOf(email)).toBe('unsubscribed');
    await notify(seed, 2);
    expect(await incidentMails(email)).toHaveLength(1);
  });

  it('changes topics and level through preferences', async () => {
    const email = uniqueEmail('prefs');
    await subscribe(email);
    // The confirmation page links to the preferences.
    const confirmed = await call('POST', await linkIn(email, '/v1/confirm'));
    const preferences = /href="([^"]*\/v1\/preferences\?token=[^"]+)"/.exec(confirmed.body)?.[1] ?? '';
    const view = await call('GET', preferences);
    expect(view.body).toMatchObject({
      email,
      status: 'confirmed',
      level: 'all',
      labels: ['Channel - Chat in Prod1 (US) (Kustomer)'],
    });
    const page = await call('GET', preferences, { headers: { accept: 'text/html' } });
    expect(page.body).toContain('Unsubscribe from everything');

    const changed = await call('PUT', preferences, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        level: 'major',
        topics: [
          { pageId: PAGE_ID, componentId: EU_CHAT },
          { pageId: PAGE_ID, componentId: US_CHAT },
        ],
      }),
    });
    expect(changed.body).toMatchObject({
      level: 'major',
      labels: ['Channel - Chat in Prod2 (EU) (Kustomer)', 'Channel - Chat in Prod1 (US) (Kustomer)'],
    });
    await notify(freshSeed({ impact: 'minor' }), 1); // minor: not for a major-only subscriber
    expect(await incidentMails(email)).toEqual([]);
    await notify(freshSeed({ impact: 'major' }), 1);
    expect(await incidentMails(email)).toHaveLength(1);

    const bad = await call('PUT', preferences, {
      headers: { 'content-type': 'application/json' },
      body: '{"level":"hourly"}',
    });
    expect(bad.status).toBe(400);
    const gone = await call('PUT', preferences, {
      headers: { 'content-type': 'application/json' },
      body: '{"unsubscribe":true}',
    });
    expect(gone.body.status).toBe('unsubscribed');
  });
});

describe('support teams', () => {
  const admin = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });

  it('issues scoped, revocable API keys and audits every write', async () => {
    const created = await call('POST', '/v1/admin/keys', {
      headers: bootstrap,
      body: JSON.stringify({ name: 'read-only', scopes: ['read'] }),
    });
    expect(created.status).toBe(201);
    const readKey = created.body.key as string;
    expect(created.body).not.toHaveProperty('secretHash');
    expect((await call('GET', '/v1/admin/subscribers', { headers: admin(readKey) })).status).toBe(200);
    const write = await call('POST', '/v1/admin/suppressions', {
      headers: admin(readKey),
      body: JSON.stringify({ email: uniqueEmail('x') }),
    });
    expect(write.status).toBe(403);

    const writer = await call('POST', '/v1/admin/keys', {
      headers: bootstrap,
      body: JSON.stringify({ name: 'support', scopes: ['read', 'write'] }),
    });
    // Only the bootstrap key manages keys: a write key cannot mint or revoke one.
    const escalation = await call('POST', '/v1/admin/keys', {
      headers: admin(writer.body.key),
      body: JSON.stringify({ name: 'mine', scopes: ['read', 'write'] }),
    });
    expect(escalation.status).toBe(403);
    const suppressed = uniqueEmail('audited');
    await call('POST', '/v1/admin/suppressions', {
      headers: admin(writer.body.key),
      body: JSON.stringify({ email: suppressed }),
    });
    expect(
      (await call('DELETE', `/v1/admin/keys/${created.body.keyId}`, { headers: bootstrap })).status,
    ).toBe(200);
    expect((await call('GET', '/v1/admin/subscribers', { headers: admin(readKey) })).status).toBe(401);
    expect(
      (await call('GET', '/v1/admin/subscribers', { headers: admin(`snk_000000000000_${'0'.repeat(64)}`) }))
        .status,
    ).toBe(401);

    const audit = await call('GET', '/v1/admin/audit', { headers: bootstrap });
    expect(audit.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: writer.body.keyId,
          action: 'POST /v1/admin/suppressions',
          status: 201,
        }),
        expect.objectContaining({
          actor: 'bootstrap',
          action: 'DELETE /v1/admin/keys/{id}',
          target: created.body.keyId,
        }),
      ]),
    );
    expect(audit.body.items.some((e: { action: string }) => e.action.startsWith('GET'))).toBe(false);
  });

  it('imports CSV with per-line errors, idempotently, with a dry run; exports what re-imports', async () => {
    const marker = `imp${randomUUID().slice(0, 6)}`;
    const csv = [
      'email,page,region,component,status',
      `${marker}-a@example.com,Kustomer,Prod1 (US),Channel - Chat,`,
      `${marker}-a@example.com,${PAGE_ID},grp2prodeu01,,`, // same address: merges
      `${marker}-b@example.com,Kustomer,,Channel - Chat,`, // ambiguous: two regions have it
      `not-an-address,Kustomer,,,`,
      `${marker}-c@example.com,Nope,,,`,
      `${marker}-d@example.com,Kustomer,,,unsubscribed`, // a known opt-out: never mailed
      `${marker}-e@example.com,Kustomer,,,pending`, // only a person confirms: not importable as new
    ].join('\n');
    const post = (query = '') =>
      call('POST', `/v1/admin/subscribers/import${query}`, {
        headers: { ...bootstrap, 'content-type': 'text/csv' },
        body: csv,
      });

    const dry = await post('?dryRun=true');
    expect(dry.body).toMatchObject({ imported: 2, updated: 0, dryRun: true });
    expect(await statusOf(`${marker}-a@example.com`)).toBeUndefined();

    const first = await post();
    expect(first.body).toMatchObject({ imported: 2, updated: 0, unchanged: 0 });
    expect(first.body.rejected).toEqual([
      { line: 4, error: expect.stringContaining('several regions') },
      { line: 5, error: expect.stringContaining('not an email address') },
      { line: 6, error: expect.stringContaining('unknown page') },
      { line: 8, error: expect.stringContaining('is pending') },
    ]);
    expect((await post()).body).toMatchObject({ imported: 0, updated: 0, unchanged: 2 });

    const found = await call('GET', `/v1/admin/subscribers?email=${marker}-a`, { headers: bootstrap });
    expect(found.body.items[0].topics.map((t: { key: string }) => t.key).sort()).toEqual(
      [`C#${PAGE_ID}#${US_CHAT}`, `G#${PAGE_ID}#grp2prodeu01`].sort(),
    );
    expect(
      (await call('POST', '/v1/admin/subscribers/import', { headers: bootstrap, body: '{}' })).status,
    ).toBe(415);

    let exported = '';
    let cursor: string | null = null;
    do {
      const page = await call(
        'GET',
        `/v1/admin/subscribers/export?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { headers: bootstrap },
      );
      exported += page.body;
      cursor = page.headers.get('x-next-cursor');
    } while (cursor);
    expect(exported.split('\n')[0]).toBe('id,email,status,level,page,region,component,channel');
    expect(exported).toContain(`${marker}-d@example.com,unsubscribed,all,${PAGE_ID},,`);
    // The export is a valid import: nothing changes.
    const again = await call('POST', '/v1/admin/subscribers/import', {
      headers: { ...bootstrap, 'content-type': 'text/csv' },
      body: exported,
    });
    expect(again.body).toMatchObject({ imported: 0, updated: 0, rejected: [] });
  });

  it('suppresses an address, answers "did they get it, and if not why", and erases on request', async () => {
    const create = (label: string) =>
      call('POST', '/v1/admin/subscribers', {
        headers: bootstrap,
        body: JSON.stringify({
          email: uniqueEmail(label),
          topics: [{ pageId: PAGE_ID, groupId: 'grp1produs01' }],
          confirmed: true,
        }),
      }).then((r) => r.body as { id: string; email: string });
    const kept = await create('kept');
    const blocked = await create('blocked');
    await call('POST', '/v1/admin/suppressions', {
      headers: bootstrap,
      body: JSON.stringify({ email: blocked.email, reason: 'hard bounce' }),
    });
    const seed = freshSeed();
    await notify(seed, 1);

    expect(await incidentMails(kept.email)).toHaveLength(1);
    expect(await incidentMails(blocked.email)).toEqual([]);
    const history = await call('GET', `/v1/admin/subscribers/${blocked.id}/deliveries`, {
      headers: bootstrap,
    });
    expect(history.body.items).toEqual([
      expect.objectContaining({
        updateId: seed.updates[0]!.id,
        status: 'skipped',
        error: 'address suppressed',
      }),
    ]);
    const sent = await call('GET', `/v1/admin/subscribers/${kept.id}/deliveries`, { headers: bootstrap });
    expect(sent.body.items[0]).toMatchObject({
      status: 'sent',
      messageId: expect.stringMatching(/^<.+@email\.amazonses\.com>$/),
    });

    const incidentId = `statuspage:${PAGE_ID}:${seed.id}`;
    const report = await call('GET', `/v1/admin/incidents/${encodeURIComponent(incidentId)}`, {
      headers: bootstrap,
    });
    expect(report.body.updates[0].counts).toMatchObject({ matched: expect.any(Number), skipped: 1 });
    expect(report.body.updates[0].counts.sent).toBe(report.body.updates[0].counts.matched - 1);

    const list = await call('GET', '/v1/admin/suppressions?limit=1000', { headers: bootstrap });
    expect(list.body.items).toContainEqual(
      expect.objectContaining({ email: blocked.email, reason: 'hard bounce', source: 'bootstrap' }),
    );
    expect(
      (
        await call('DELETE', `/v1/admin/suppressions/${encodeURIComponent(blocked.email)}`, {
          headers: bootstrap,
        })
      ).status,
    ).toBe(200);

    const erased = await call('DELETE', `/v1/admin/subscribers/${kept.id}`, { headers: bootstrap });
    expect(erased.body).toMatchObject({ erased: true, deliveriesAnonymized: 1 });
    expect((await call('GET', `/v1/admin/subscribers/${kept.id}`, { headers: bootstrap })).status).toBe(404);
    const anonymous = await call('GET', `/v1/admin/subscribers/${kept.id}/deliveries`, {
      headers: bootstrap,
    });
    expect(anonymous.body.items).toHaveLength(1);
    expect(JSON.stringify(anonymous.body)).not.toContain(kept.email);
  });

  it('searches by filters and changes a subscriber', async () => {
    const marker = `find${randomUUID().slice(0, 6)}`;
    for (const [label, topic] of [
      ['us', { componentId: US_CHAT }],
      ['eu', { componentId: EU_CHAT }],
    ] as const) {
      await call('POST', '/v1/admin/subscribers', {
        headers: bootstrap,
        body: JSON.stringify({
          email: `${marker}-${label}@example.com`,
          topics: [{ pageId: PAGE_ID, ...topic }],
          confirmed: true,
        }),
      });
    }
    const eu = await call(
      'GET',
      `/v1/admin/subscribers?email=${marker}&groupId=grp2prodeu01&status=confirmed`,
      { headers: bootstrap },
    );
    expect(eu.body.items.map((s: { email: string }) => s.email)).toEqual([`${marker}-eu@example.com`]);
    const id = eu.body.items[0].id;
    const changed = await call('PATCH', `/v1/admin/subscribers/${id}`, {
      headers: bootstrap,
      body: JSON.stringify({ topics: [{ pageId: PAGE_ID, componentId: US_CHAT }], level: 'lifecycle' }),
    });
    expect(changed.body).toMatchObject({
      level: 'lifecycle',
      topics: [expect.objectContaining({ componentId: US_CHAT })],
    });
    const byComponent = await call('GET', `/v1/admin/subscribers?email=${marker}&componentId=${US_CHAT}`, {
      headers: bootstrap,
    });
    expect(byComponent.body.items).toHaveLength(2);
    const broken = await call('GET', '/v1/admin/subscribers/%E0%A4%A', { headers: bootstrap });
    expect(broken.status).toBe(400);
    expect(broken.body.error.details).toEqual([
      { path: 'path.id', message: 'This link is broken: the id in it is not valid URL encoding' },
    ]);
  });
});
