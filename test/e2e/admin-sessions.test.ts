import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalStack } from '../../infra/local/stack';
import { uniqueEmail } from '../support/local-aws';
import { captureLogs } from '../support/logs';
import { adminHeaders, startTestStack } from '../support/stack';

// Console sessions in the admin API, through the local stack's HTTP API.
let stack: LocalStack;
let logged: string[] = [];

beforeAll(async () => {
  stack = await startTestStack('ses');
  logged = captureLogs();
});
afterAll(async () => {
  vi.restoreAllMocks();
  await stack?.stop();
});

async function call(method: string, path: string, bearer: string, body?: unknown) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

const bootstrapKey = adminHeaders.authorization.replace('Bearer ', '');
async function newKey(scopes: string[]): Promise<{ keyId: string; key: string }> {
  return (await call('POST', '/v1/admin/keys', bootstrapKey, { name: 'console', scopes })).body;
}

describe('admin API sessions', () => {
  it('a read key signs in; its session reads but does not write, and cannot start another session', async () => {
    const key = await newKey(['read']);
    const created = await call('POST', '/v1/admin/sessions', key.key);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ actor: key.keyId, scopes: ['read'], idleMinutes: 30 });
    const token: string = created.body.token;
    expect(token).toMatch(/^sns_/);

    expect((await call('GET', '/v1/admin/sessions/current', token)).body).toMatchObject({
      id: created.body.id,
      actor: key.keyId,
    });
    expect((await call('GET', '/v1/admin/subscribers', token)).status).toBe(200);
    const write = await call('POST', '/v1/admin/suppressions', token, { email: uniqueEmail('nope') });
    expect(write).toMatchObject({
      status: 403,
      body: {
        error: {
          message: 'this key lacks the write scope',
          details: [{ path: 'scope', message: 'needs write' }],
        },
      },
    });
    expect((await call('POST', '/v1/admin/sessions', token)).status).toBe(403);
    expect((await call('GET', '/v1/admin/keys', token)).status).toBe(403);
    // The key itself is not a session.
    expect((await call('GET', '/v1/admin/sessions/current', key.key)).status).toBe(404);
  });

  it('a write key’s session writes; signing out ends it; revoking the key ends its other sessions', async () => {
    const key = await newKey(['read', 'write']);
    const first = (await call('POST', '/v1/admin/sessions', key.key)).body.token as string;
    const second = (await call('POST', '/v1/admin/sessions', key.key)).body.token as string;
    const email = uniqueEmail('suppressed');
    expect((await call('POST', '/v1/admin/suppressions', first, { email })).status).toBe(201);
    expect(
      (await call('GET', `/v1/admin/suppressions/${encodeURIComponent(email)}`, first)).body,
    ).toMatchObject({
      email,
      source: key.keyId,
    });
    expect((await call('GET', `/v1/admin/suppressions/${uniqueEmail('never')}`, first)).status).toBe(404);

    expect((await call('DELETE', '/v1/admin/sessions/current', first)).status).toBe(200);
    expect(await call('GET', '/v1/admin/subscribers', first)).toMatchObject({
      status: 401,
      body: {
        error: {
          message: 'Your session ended when you signed out: sign in again',
          details: [{ path: 'session', message: 'ended when you signed out' }],
        },
      },
    });
    expect((await call('GET', '/v1/admin/subscribers', second)).status).toBe(200);
    await call('DELETE', `/v1/admin/keys/${key.keyId}`, bootstrapKey);
    expect((await call('GET', '/v1/admin/subscribers', second)).body.error.message).toContain('was revoked');
  });

  it('audits as the key, naming the session a write came through, and logs neither key nor token', async () => {
    const key = await newKey(['read', 'write']);
    const created = (await call('POST', '/v1/admin/sessions', key.key)).body;
    const other = (await call('POST', '/v1/admin/sessions', key.key)).body;
    const [direct, throughSession] = [uniqueEmail('audit-key'), uniqueEmail('audit-session')];
    await call('POST', '/v1/admin/suppressions', key.key, { email: direct });
    await call('POST', '/v1/admin/suppressions', created.token, { email: throughSession });
    await call('DELETE', '/v1/admin/sessions/current', created.token);
    await call('DELETE', '/v1/admin/sessions/current', other.token);
    await call('GET', '/v1/admin/subscribers', 'sns_000000000000_bad');
    const audit = (await call('GET', '/v1/admin/audit?limit=1000', bootstrapKey)).body.items as Array<{
      actor: string;
      via?: string;
      action: string;
      target?: string;
    }>;
    const mine = (action: string) =>
      audit.filter((e) => e.actor === key.keyId && e.action === action).map((e) => e.via ?? 'the key itself');
    expect(mine('POST /v1/admin/sessions')).toEqual(['the key itself', 'the key itself']);
    expect(mine('POST /v1/admin/suppressions').sort()).toEqual(
      [`session ${created.id}`, 'the key itself'].sort(),
    );
    // Two sessions of one key: each sign-out names its own.
    expect(mine('DELETE /v1/admin/sessions/current').sort()).toEqual(
      [`session ${created.id}`, `session ${other.id}`].sort(),
    );
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'DELETE /v1/admin/sessions/current', target: created.id }),
    );
    const everything = logged.join('\n');
    for (const secret of [key.key, created.token, bootstrapKey]) expect(everything).not.toContain(secret);
  });
});
