import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AppError } from '../errors';
import type { HttpResult } from './respond';

/** Compares secrets in constant time, whatever their lengths (both sides are hashed first). */
export function secretsEqual(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Requires `Authorization: Bearer <key>`. */
export function requireBearer(key: string): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  return {
    before: async ({ event }) => {
      const header = event.headers?.authorization ?? '';
      const [scheme, given] = header.split(' ');
      if (scheme?.toLowerCase() !== 'bearer' || !given || !secretsEqual(given, key)) {
        throw new AppError('UNAUTHORIZED', 'a valid bearer token is required', [
          { path: 'authorization', message: 'missing or invalid' },
        ]);
      }
    },
  };
}

/** Requires the path parameter `name` to equal the secret: Statuspage can only authenticate by URL. */
export function requirePathToken(
  name: string,
  secret: string,
): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  return {
    before: async ({ event }) => {
      const given = event.pathParameters?.[name] ?? '';
      if (!secretsEqual(given, secret)) {
        throw new AppError('NOT_FOUND', 'no such webhook endpoint', [
          { path: name, message: 'unknown token' },
        ]);
      }
    },
  };
}
