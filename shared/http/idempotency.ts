import { createHash } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AppError } from '../errors';
import { log, loggableError } from '../log';
import type { IdempotencyRecords } from '../ports';
import type { HttpResult } from './respond';

/** A request whose function died holding its key may be run again after this long. */
const STALE_CLAIM_SECONDS = 60;

/** The header, as API Gateway passes headers: lower-case. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

const claims = new WeakMap<APIGatewayProxyEventV2, { id: string; fingerprint: string }>();

/**
 * The record id of a key: the caller and the key, hashed, so two callers' keys never meet and a key
 * of any length makes a short partition key.
 */
export function idempotencyId(scope: string, key: string): string {
  return createHash('sha256').update(`${scope}\n${key}`).digest('base64url');
}

/** The key a request carries, or undefined; a key that cannot be one is refused. */
export function idempotencyKeyOf(event: APIGatewayProxyEventV2): string | undefined {
  const key = event.headers?.[IDEMPOTENCY_HEADER];
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new AppError(
      'VALIDATION',
      'Invalid request: Idempotency-Key must be 1 to 255 visible ASCII characters',
      [{ path: 'idempotency-key', message: '1 to 255 visible ASCII characters' }],
    );
  }
  return key;
}

/**
 * `Idempotency-Key` on writes: the first request with a key runs and its answer is kept for a day; a retry
 * with the same key and the same request gets that answer again (`idempotent-replayed: true`) and does
 * nothing; the same key for another request is a 422; a retry while the first still runs, a 409 to retry.
 * A request that fails lets its key go, so a retry runs it again. Runs after authentication: `scopeOf`
 * names the caller.
 */
export function idempotency(options: {
  records: IdempotencyRecords;
  scopeOf: (event: APIGatewayProxyEventV2) => string;
}): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  return {
    before: async ({ event }) => {
      // A read changes nothing: answered afresh every time, whatever key it carries.
      if (event.requestContext?.http?.method === 'GET') return undefined;
      const key = idempotencyKeyOf(event);
      if (key === undefined) return undefined;
      const id = idempotencyId(options.scopeOf(event), key);
      const fingerprint = createHash('sha256')
        .update(`${event.routeKey}\n${event.rawPath}\n${event.body ?? ''}`)
        .digest('base64url');
      const outcome = await options.records.claim(id, fingerprint, STALE_CLAIM_SECONDS);
      if (outcome.claimed) {
        claims.set(event, { id, fingerprint });
        return undefined;
      }
      const { record } = outcome;
      if (record.fingerprint !== fingerprint) {
        throw new AppError('UNPROCESSABLE', 'this Idempotency-Key was used for another request', [
          { path: 'idempotency-key', message: 'already used with a different route or body' },
        ]);
      }
      if (!record.response) {
        throw new AppError(
          'CONFLICT',
          'a request with this Idempotency-Key is still running: retry in a moment',
          [{ path: 'idempotency-key', message: 'in use by a request still running' }],
          1,
        );
      }
      const { statusCode, headers, body } = record.response;
      return { statusCode, headers: { ...headers, 'idempotent-replayed': 'true' }, body };
    },
    after: async ({ event, response }) => {
      const claim = claims.get(event);
      if (!claim || !response) return;
      const statusCode = response.statusCode ?? 200;
      if (statusCode >= 300) return options.records.release(claim.id);
      // The work is done: failing to keep its answer must not turn it into an error. A retry then waits
      // out the claim and runs again, which the writes' own idempotency makes harmless.
      await options.records
        .complete(claim.id, claim.fingerprint, {
          statusCode,
          headers: Object.fromEntries(Object.entries(response.headers ?? {}).map(([k, v]) => [k, String(v)])),
          body: typeof response.body === 'string' ? response.body : '',
        })
        .catch((error: unknown) => log.warn('idempotency record not kept', { error: loggableError(error) }));
    },
    onError: async ({ event }) => {
      const claim = claims.get(event);
      if (claim) await options.records.release(claim.id);
    },
  };
}
