import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { AppError } from '../errors';
import type { HttpResult } from './respond';

/** What a route's schema sees: the JSON body (if any), path parameters, query parameters. */
export interface RawRequest {
  body: unknown;
  path: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
}

export type ParsedEvent<T> = APIGatewayProxyEventV2 & { input: T };

/**
 * Parses the request with a zod schema before the handler runs: a body that is not JSON, or input the
 * schema refuses, is a 400 naming the field, and the handler only ever sees valid input.
 */
export function parseRequest<S extends z.ZodType>(
  schema: S,
  body: 'json' | 'text' | 'ignore' = 'json',
): MiddlewareObj<ParsedEvent<z.output<S>>, HttpResult> {
  return {
    before: async (request) => {
      const event = request.event;
      const raw: RawRequest = {
        body: body === 'json' ? readBody(event) : body === 'text' ? readText(event) : undefined,
        path: event.pathParameters ?? {},
        query: event.queryStringParameters ?? {},
      };
      const parsed = schema.safeParse(raw);
      if (!parsed.success) throw AppError.fromZod(parsed.error);
      event.input = parsed.data;
    },
  };
}

function readText(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function readBody(event: APIGatewayProxyEventV2): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const contentType = event.headers?.['content-type'] ?? '';
  if (contentType && !/^application\/(.+\+)?json\b/i.test(contentType)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `expected a JSON body, got ${contentType}`, [
      { path: 'content-type', message: 'must be application/json' },
    ]);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('VALIDATION', 'body is not valid JSON', [{ path: 'body', message: 'not valid JSON' }]);
  }
}
