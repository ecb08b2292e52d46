import { createHash } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AppError } from '../errors';
import { log } from '../log';
import type { ApiKeyScope, AuditLog } from '../ports';
import type { Actor } from '../usecases/api-keys';
import type { HttpResult } from './respond';

const actors = new WeakMap<APIGatewayProxyEventV2, Actor>();

/** The admin who made this request (set by `adminAccess`). */
export function actorOf(event: APIGatewayProxyEventV2): Actor {
  const actor = actors.get(event);
  if (!actor) throw new Error('adminAccess did not run for this route');
  return actor;
}

/**
 * Admin routes: a bearer key with the route's scope (reads need `read`, writes `write`), and every
 * successful write recorded in the audit log with who (the key, and the console session it came
 * through), what and when. `readScoped` routes change
 * nothing but the caller's own sign-in (sessions): `read` is enough, and they are still audited.
 */
export function adminAccess(options: {
  authenticate: (token: string) => Promise<Actor | undefined>;
  audit: AuditLog;
  readScoped?: readonly string[];
}): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  const readScoped = new Set(options.readScoped ?? []);
  return {
    before: async ({ event }) => {
      const [scheme, token] = (event.headers?.authorization ?? '').split(' ');
      const actor =
        scheme?.toLowerCase() === 'bearer' && token ? await options.authenticate(token) : undefined;
      if (!actor) {
        throw new AppError('UNAUTHORIZED', 'a valid bearer key is required', [
          { path: 'authorization', message: 'missing, unknown or revoked' },
        ]);
      }
      const needed: ApiKeyScope = isWrite(event) && !readScoped.has(event.routeKey) ? 'write' : 'read';
      if (!actor.scopes.includes(needed)) {
        // `scope`: what a client (the console) branches on to say it in its own words.
        throw new AppError('FORBIDDEN', `this key lacks the ${needed} scope`, [
          { path: 'scope', message: `needs ${needed}` },
        ]);
      }
      actors.set(event, actor);
    },
    after: async ({ event, response }) => {
      if (!isWrite(event) || !response) return;
      const actor = actors.get(event);
      const target = auditTarget(event, response.body);
      await options.audit
        .record({
          at: new Date().toISOString(),
          actor: actor?.id ?? 'unknown',
          // A session acts as its key; which session it was tells two of the key's sign-ins apart.
          ...(actor?.session ? { via: `session ${actor.session.id}` } : {}),
          action: event.routeKey,
          ...(target ? { target } : {}),
          status: response.statusCode ?? 200,
          requestId: event.requestContext?.requestId ?? '',
        })
        .catch((error: unknown) => log.error('audit record failed', { error, route: event.routeKey }));
    },
  };
}

/**
 * What a write was about: the path's ids, or for a create the id it answered with. Addresses are kept
 * as hashes: the audit log outlives an erasure request.
 */
function auditTarget(event: APIGatewayProxyEventV2, body: string | undefined): string | undefined {
  let created: unknown;
  try {
    const parsed = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    created = parsed.id ?? parsed.keyId ?? parsed.email ?? parsed.pageId;
  } catch {
    // not JSON (an export): no target
  }
  const parts = [
    ...Object.values(event.pathParameters ?? {}),
    ...(typeof created === 'string' ? [created] : []),
  ];
  const target = [
    ...new Set(parts.map((part) => (part?.includes('@') || part?.includes('%40') ? hashed(part) : part))),
  ].join('/');
  return target || undefined;
}

const hashed = (value: string) =>
  `sha256:${createHash('sha256').update(decodeURIComponent(value).toLowerCase()).digest('hex').slice(0, 16)}`;

function isWrite(event: APIGatewayProxyEventV2): boolean {
  return event.requestContext?.http?.method !== 'GET';
}
