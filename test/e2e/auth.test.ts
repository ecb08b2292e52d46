import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import { PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { mailTo, uniqueEmail } from '../support/local-aws';
import { adminCall, startTestStack } from '../support/stack';

// Who may do what: admin keys on every kind of admin route, and the scoped, single-use or revocable
// tokens in the links of mail.
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack('auth', { env: { SUBSCRIBE_LIMIT_PER_IP: '1000' } });
});
afterAll(async () => {
  await stack?.stop();
});

async function call(method: string, path: string, authorization?: string, body?: unknown) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      ...(authorization === undefined ? {} : { authorization }),
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

describe('admin keys', () => {
  const reads = [['GET', '/v1/admin/subscribers']] as const;
  const writes = [
    ['POST', '/v1/admin/suppressions', { email: 'someone@example.com' }],
    ['POST', '/v1/incidents', { pageId: PAGE_ID, incident: {} }],
    ['DELETE', '/v1/admin/subscribers/nobody'],
  ] as const;

  it('refuses a missing, malformed, unknown or revoked key on every kind of route with a 401', async () => {
    const created = await adminCall(stack, 'POST', '/v1/admin/keys', {
      name: 'soon revoked',
      scopes: ['read', 'write'],
    });
    const revoked = created.body.key as string;
    await adminCall(stack, 'DELETE', `/v1/admin/keys/${created.body.keyId}`);
    const refused = [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `Basic ${Buffer.from(`admin:${LOCAL_DEFAULTS.ADMIN_API_KEY}`).toString('base64')}`,
      `Bearer ${LOCAL_DEFAULTS.ADMIN_API_KEY}x`,
      `Bearer ${LOCAL_DEFAULTS.ADMIN_API_KEY.slice(0, -1)}`,
      `Bearer snk_000000000000_${'0'.repeat(64)}`,
      `Bearer ${revoked}`,
      `Bearer sns_000000000000_${'0'.repeat(64)}`,
    ];
    for (const [method, path, body] of [...reads, ...writes]) {
      for (const authorization of refused) {
        const answer = await call(method, path, authorization, body);
        expect(answer.status, `${method} ${path} with ${authorization}`).toBe(401);
        expect(answer.body.error.code).toBe('UNAUTHORIZED');
      }
    }
  });

  it('lets a read key read, refuses it every write with a 403, and keeps key management to the bootstrap key', async () => {
    const reader = `Bearer ${(await adminCall(stack, 'POST', '/v1/admin/keys', { name: 'reader', scopes: ['read'] })).body.key}`;
    const writer = `Bearer ${(await adminCall(stack, 'POST', '/v1/admin/keys', { name: 'writer', scopes: ['read', 'write'] })).body.key}`;
    for (const [method, path] of reads) expect((await call(method, path, reader)).status).toBe(200);
    for (const [method, path, body] of writes) {
      const answer = await call(method, path, reader, body);
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.body.error.details).toEqual([{ path: 'scope', message: 'needs write' }]);
    }
    for (const key of [reader, writer]) {
      expect((await call('GET', '/v1/admin/keys', key)).status).toBe(403);
      expect((await call('POST', '/v1/admin/keys', key, { name: 'mine', scopes: ['write'] })).status).toBe(
        403,
      );
    }
  });
});

describe('link tokens', () => {
  const post = (url: string) => fetch(url, { method: 'POST', headers: { accept: 'application/json' } });
  const get = (url: string) => fetch(url, { headers: { accept: 'application/json' } });

  async function subscribe(email: string) {
    await call('POST', '/v1/subscriptions', undefined, {
      email,
      topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
    });
    const text = (await mailTo([email])).at(-1)?.body.text ?? '';
    return /https?:\/\/\S+\/v1\/confirm\?token=\S+/.exec(text)?.[0] ?? '';
  }

  it('uses a confirmation link once, and for confirming only', async () => {
    const confirm = await subscribe(uniqueEmail('once'));
    expect((await get(confirm.replace('/v1/confirm', '/v1/preferences'))).status).toBe(404);
    expect((await post(confirm.replace('/v1/confirm', '/v1/unsubscribe'))).status).toBe(404);
    expect((await post(confirm)).status).toBe(200);
    expect((await post(confirm)).status).toBe(404);
  });

  it('will not let a manage link confirm (the nonce lifecycle is in test/integration/link-tokens)', async () => {
    const confirmed = await (await post(await subscribe(uniqueEmail('manage')))).text();
    const preferences = `${stack.apiUrl}${/href="(\/v1\/preferences\?token=[^"]+)"/.exec(confirmed)?.[1] ?? ''}`;
    expect((await get(preferences)).status).toBe(200);
    expect((await post(preferences.replace('/v1/preferences', '/v1/confirm'))).status).toBe(404);
  });
});
