import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoApiKeys } from '../../shared/adapters/dynamo/admin-records';
import { DynamoAdminSessions } from '../../shared/adapters/dynamo/sessions';
import { AppError } from '../../shared/errors';
import type { Clock } from '../../shared/ports';
import { type AuthDeps, authenticate, createApiKey } from '../../shared/usecases/api-keys';
import { createSession, endSession } from '../../shared/usecases/sessions';
import { freshTables } from '../support/local-aws';

// Console sessions against DynamoDB Local, with a clock the test moves.
const BOOTSTRAP = 'bootstrap-key-for-session-tests';
let now = new Date('2026-03-02T09:00:00Z');
const clock: Clock = { now: () => now };
const advance = (minutes: number) => {
  now = new Date(now.getTime() + minutes * 60_000);
};

let store: DynamoAdminSessions;
let apiKeys: DynamoApiKeys;
let auth: AuthDeps;
let sessionDeps: Parameters<typeof createSession>[0];
let db: Awaited<ReturnType<typeof freshTables>>['db'];
let table: string;

beforeAll(async () => {
  const fresh = await freshTables();
  db = fresh.db;
  table = fresh.tables.subscribers;
  store = new DynamoAdminSessions(db, table);
  apiKeys = new DynamoApiKeys(db, table);
  auth = { apiKeys, clock, bootstrapKey: BOOTSTRAP, sessions: { store, idleMinutes: 30 } };
  sessionDeps = { sessions: store, clock, config: { idleMinutes: 30, bootstrapKey: BOOTSTRAP } };
});

/** Why authenticating `token` fails, or the actor when it does not. */
async function attempt(token: string, deps: AuthDeps = auth) {
  try {
    return await authenticate(deps, token);
  } catch (error) {
    if (error instanceof AppError) return { refused: error.code, message: error.message };
    throw error;
  }
}

async function newKey(scopes: Array<'read' | 'write'>) {
  return createApiKey({ apiKeys, clock }, { name: 'night shift', scopes }, { id: 'bootstrap', scopes: [] });
}

describe('console sessions', () => {
  it('act as the key they were made with, stored hashed with the TTL attribute set', async () => {
    const key = await newKey(['read']);
    const session = await createSession(sessionDeps, { id: key.keyId, scopes: key.scopes });
    expect(session.token).toMatch(/^sns_[0-9a-f]{12}_[0-9a-f]{64}$/);
    expect(session).toMatchObject({ actor: key.keyId, scopes: ['read'], idleMinutes: 30 });
    expect(session.expiresAt).toBe(new Date(now.getTime() + 30 * 60_000).toISOString());

    const actor = await attempt(session.token);
    expect(actor).toMatchObject({ id: key.keyId, scopes: ['read'], session: { id: session.id } });

    const { Item } = await db.send(
      new GetCommand({ TableName: table, Key: { pk: `SESSION#${session.id}`, sk: 'SESSION' } }),
    );
    expect(JSON.stringify(Item)).not.toContain(session.token.split('_')[2]);
    expect(Item?.expiresAt).toBe(Math.ceil(now.getTime() / 1000) + 12 * 3600);
  });

  it('end after the idle time, and stay alive while used; lastSeenAt is written at most once a minute', async () => {
    const { token, id } = await createSession(sessionDeps, { id: 'bootstrap', scopes: ['read', 'write'] });
    advance(0.5);
    await attempt(token);
    expect((await store.get(id))?.lastSeenAt).toBe(new Date(now.getTime() - 30_000).toISOString());
    advance(29);
    expect(await attempt(token)).toMatchObject({ id: 'bootstrap' });
    expect((await store.get(id))?.lastSeenAt).toBe(now.toISOString());
    advance(29);
    expect(await attempt(token)).toMatchObject({ id: 'bootstrap' });
    advance(31);
    expect(await attempt(token)).toEqual({
      refused: 'UNAUTHORIZED',
      message: 'Your session ended after 30 minutes without activity: sign in again',
    });
  });

  it('end after 12 hours however active', async () => {
    const { token } = await createSession(sessionDeps, { id: 'bootstrap', scopes: ['read', 'write'] });
    for (let hour = 0; hour < 12; hour++) {
      advance(20);
      await attempt(token);
      advance(20);
      await attempt(token);
      advance(20);
    }
    expect(await attempt(token)).toMatchObject({
      refused: 'UNAUTHORIZED',
      message: expect.stringContaining('12 hours'),
    });
  });

  it('end on sign-out, when their key is revoked, or when the bootstrap key is replaced', async () => {
    const key = await newKey(['read', 'write']);
    const signedOut = await createSession(sessionDeps, { id: key.keyId, scopes: key.scopes });
    const actor = await attempt(signedOut.token);
    await endSession(sessionDeps, actor as NonNullable<Awaited<ReturnType<typeof authenticate>>>);
    expect(await attempt(signedOut.token)).toMatchObject({ message: expect.stringContaining('signed out') });

    const kept = await createSession(sessionDeps, { id: key.keyId, scopes: key.scopes });
    await apiKeys.revoke(key.keyId, now.toISOString());
    expect(await attempt(kept.token)).toMatchObject({ message: expect.stringContaining('was revoked') });

    const ofBootstrap = await createSession(sessionDeps, { id: 'bootstrap', scopes: ['read', 'write'] });
    expect(
      await attempt(ofBootstrap.token, { ...auth, bootstrapKey: 'the-rotated-bootstrap-key' }),
    ).toMatchObject({
      message: expect.stringContaining('replaced'),
    });
  });

  it('refuse forged secrets, unknown ids, a session starting a session, and work only where sessions are allowed', async () => {
    const { token, id } = await createSession(sessionDeps, { id: 'bootstrap', scopes: ['read', 'write'] });
    expect(await attempt(`sns_${id}_${'0'.repeat(64)}`)).toBeUndefined();
    expect(await attempt(`sns_${'a'.repeat(12)}_${'0'.repeat(64)}`)).toBeUndefined();
    expect(await attempt(token, { apiKeys, clock, bootstrapKey: BOOTSTRAP })).toBeUndefined();
    const actor = await attempt(token);
    await expect(
      createSession(sessionDeps, actor as NonNullable<Awaited<ReturnType<typeof authenticate>>>),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
