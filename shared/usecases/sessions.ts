import { randomBytes } from 'node:crypto';
import type { SessionView } from '../domain/admin-views';
import { sessionToken } from '../domain/session-token';
import { AppError } from '../errors';
import type { AdminSession, AdminSessions, Clock } from '../ports';
import { type Actor, hash, SESSION_MAX_HOURS, sessionView } from './api-keys';

export interface SessionDeps {
  sessions: AdminSessions;
  clock: Clock;
  config: { idleMinutes: number; bootstrapKey: string };
}

/**
 * Signs a person in to the support console with an API key: a session token that acts as that key
 * (same scopes, same audit identity) until signed out, idle too long, 12 hours old, or the key revoked.
 * Only a key may start a session; the token is returned once and only its hash is kept.
 */
export async function createSession(
  deps: SessionDeps,
  actor: Actor,
): Promise<SessionView & { token: string }> {
  if (actor.session) {
    throw new AppError('FORBIDDEN', 'a session cannot start another session: sign in with the API key', [
      { path: 'authorization', message: 'a session token, not an API key' },
    ]);
  }
  const now = deps.clock.now();
  const sessionId = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('hex');
  const session: AdminSession = {
    sessionId,
    secretHash: hash(secret),
    keyId: actor.id,
    scopes: actor.scopes,
    ...(actor.id === 'bootstrap' ? { bootstrapKeyHash: hash(deps.config.bootstrapKey) } : {}),
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    endsAt: new Date(now.getTime() + SESSION_MAX_HOURS * 3_600_000).toISOString(),
  };
  await deps.sessions.put(session);
  return { ...sessionView(session, deps.config.idleMinutes), token: sessionToken(sessionId, secret) };
}

/** The session the request came with. */
export function currentSession(actor: Actor): SessionView {
  if (!actor.session) {
    throw new AppError('NOT_FOUND', 'this request came with an API key, not a session', [
      { path: 'authorization', message: 'not a session token' },
    ]);
  }
  return actor.session;
}

/** Signs out: the session the request came with ends now. */
export async function endSession(deps: SessionDeps, actor: Actor) {
  const session = currentSession(actor);
  await deps.sessions.revoke(session.id, deps.clock.now().toISOString());
  return { id: session.id, ended: true };
}
