import { createHash, randomBytes } from 'node:crypto';
import type { SessionView } from '../domain/admin-views';
import { secretsEqual } from '../domain/secrets-equal';
import { parseSessionToken } from '../domain/session-token';
import * as z from '../domain/zod';
import { AppError } from '../errors';
import type { AdminSession, AdminSessions, ApiKey, ApiKeyScope, ApiKeys, Clock } from '../ports';

export interface Actor {
  /** `bootstrap` for the deployment's own key, else the API key's id (also when it signed in a session). */
  id: string;
  scopes: ApiKeyScope[];
  /** Set when the request came with a console session token rather than the key itself. */
  session?: SessionView;
}

export const CreateApiKeyInput = z.object({
  name: z.string().check(z.minLength(1), z.maxLength(100)),
  scopes: z._default(z.array(z.enum(['read', 'write'])).check(z.minLength(1)), ['read']),
});

const KEY_PATTERN = /^snk_([0-9a-f]{12})_([0-9a-f]{64})$/;
export const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

/**
 * Keys are managed with the bootstrap key only: a write key minting or revoking keys would let any
 * support key escalate or lock the others out.
 */
export function assertMayManageKeys(actor: Actor) {
  if (actor.session) {
    throw new AppError(
      'FORBIDDEN',
      'API keys are managed with the bootstrap key itself, not a console session',
      [{ path: 'authorization', message: 'a session token' }],
    );
  }
  if (actor.id !== 'bootstrap') {
    throw new AppError('FORBIDDEN', 'API keys are managed with the bootstrap key only', [
      { path: 'authorization', message: 'not the bootstrap key' },
    ]);
  }
}

/** A new admin API key; the key itself is returned once and only its hash is kept. */
export async function createApiKey(
  deps: { apiKeys: ApiKeys; clock: Clock },
  input: z.output<typeof CreateApiKeyInput>,
  actor: Actor,
) {
  assertMayManageKeys(actor);
  const keyId = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('hex');
  const key: ApiKey = {
    keyId,
    name: input.name,
    scopes: [...new Set(input.scopes)],
    secretHash: hash(secret),
    createdAt: deps.clock.now().toISOString(),
    createdBy: actor.id,
  };
  await deps.apiKeys.put(key);
  return { ...withoutHash(key), key: `snk_${keyId}_${secret}` };
}

export async function listApiKeys(deps: { apiKeys: ApiKeys }, actor: Actor) {
  assertMayManageKeys(actor);
  return { items: (await deps.apiKeys.list()).map(withoutHash) };
}

export async function revokeApiKey(deps: { apiKeys: ApiKeys; clock: Clock }, keyId: string, actor: Actor) {
  assertMayManageKeys(actor);
  if (!(await deps.apiKeys.revoke(keyId, deps.clock.now().toISOString()))) {
    throw new AppError('NOT_FOUND', `no API key ${keyId}`);
  }
  return { keyId, revoked: true };
}

export interface AuthDeps {
  apiKeys: ApiKeys;
  clock: Clock;
  /** The deployment's own key (`ADMIN_API_KEY`): every scope. */
  bootstrapKey: string;
  /** Console sessions; without them a session token is refused (the incidents API takes keys only). */
  sessions?: { store: AdminSessions; idleMinutes: number };
}

/** A session lasts at most this long, however active. */
export const SESSION_MAX_HOURS = 12;
/** `lastSeenAt` is written at most this often: one small write a minute per active session, not per request. */
const TOUCH_AFTER_MS = 60_000;

/**
 * Who a bearer token belongs to: the bootstrap key (every scope), a live API key, or a live console
 * session (acting as the key it was made with). A session that has ended says why, so the console can.
 */
export async function authenticate(deps: AuthDeps, token: string): Promise<Actor | undefined> {
  if (secretsEqual(token, deps.bootstrapKey)) return { id: 'bootstrap', scopes: ['read', 'write'] };
  const session = parseSessionToken(token);
  if (session)
    return deps.sessions ? authenticateSession(deps, session.sessionId, session.secret) : undefined;
  const match = KEY_PATTERN.exec(token);
  if (!match) return undefined;
  const [, keyId = '', secret = ''] = match;
  const key = await deps.apiKeys.get(keyId);
  if (!key || key.revokedAt || !secretsEqual(hash(secret), key.secretHash)) return undefined;
  return { id: keyId, scopes: key.scopes };
}

async function authenticateSession(deps: AuthDeps, sessionId: string, secret: string) {
  const { store, idleMinutes } = deps.sessions as NonNullable<AuthDeps['sessions']>;
  const session = await store.get(sessionId);
  if (!session || !secretsEqual(hash(secret), session.secretHash)) return undefined;
  const now = deps.clock.now();
  const ended = await whySessionEnded(deps, session, now, idleMinutes);
  if (ended) {
    // The `session` detail is what the console says on its sign-in page: "Your session ended …".
    throw new AppError('UNAUTHORIZED', `Your session ended ${ended}: sign in again`, [
      { path: 'session', message: `ended ${ended}` },
    ]);
  }
  let lastSeenAt = session.lastSeenAt;
  if (now.getTime() - Date.parse(lastSeenAt) >= TOUCH_AFTER_MS) {
    lastSeenAt = now.toISOString();
    await store.touch(sessionId, lastSeenAt);
  }
  return {
    id: session.keyId,
    scopes: session.scopes,
    session: sessionView({ ...session, lastSeenAt }, idleMinutes),
  };
}

/** Why a session can no longer be used, in words, or undefined while it is live. */
async function whySessionEnded(
  deps: AuthDeps,
  session: AdminSession,
  now: Date,
  idleMinutes: number,
): Promise<string | undefined> {
  if (session.revokedAt) return 'when you signed out';
  if (now.getTime() >= Date.parse(session.endsAt))
    return `after ${SESSION_MAX_HOURS} hours, the longest a session lasts`;
  if (now.getTime() - Date.parse(session.lastSeenAt) > idleMinutes * 60_000)
    return `after ${idleMinutes} minutes without activity`;
  if (session.keyId === 'bootstrap') {
    // The bootstrap key cannot be revoked, only rotated: a session of the old key ends with it.
    return session.bootstrapKeyHash && secretsEqual(hash(deps.bootstrapKey), session.bootstrapKeyHash)
      ? undefined
      : 'because the key it was made with was replaced';
  }
  const key = await deps.apiKeys.get(session.keyId);
  return !key || key.revokedAt ? 'because the API key it was made with was revoked' : undefined;
}

export function sessionView(session: AdminSession, idleMinutes: number): SessionView {
  const idleEnd = Date.parse(session.lastSeenAt) + idleMinutes * 60_000;
  return {
    id: session.sessionId,
    actor: session.keyId,
    scopes: session.scopes,
    idleMinutes,
    createdAt: session.createdAt,
    lastSeenAt: session.lastSeenAt,
    expiresAt: new Date(Math.min(idleEnd, Date.parse(session.endsAt))).toISOString(),
  };
}

function withoutHash({ secretHash: _, ...key }: ApiKey) {
  return key;
}
