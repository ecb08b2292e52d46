import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { secretsEqual } from '../domain/secrets-equal';
import { AppError } from '../errors';
import type { HttpResult } from './respond';

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
