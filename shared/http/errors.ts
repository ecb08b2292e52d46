import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AppError, type ErrorCode } from '../errors';
import { log } from '../log';
import { type HttpResult, json } from './respond';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
};

/**
 * The one mapping from errors to HTTP: an AppError keeps its code, message and details; a middy HTTP
 * error (a route that does not exist) keeps its status; anything else is a 500 that leaks nothing.
 */
export function httpErrors(): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  return {
    onError: async (request) => {
      const { error } = request;
      if (error instanceof AppError) {
        const retryAfter: Record<string, string> = error.retryAfterSeconds
          ? { 'retry-after': String(error.retryAfterSeconds) }
          : {};
        request.response = json(
          STATUS[error.code],
          { error: { code: error.code, message: error.message, details: error.details } },
          retryAfter,
        );
        return;
      }
      const exposed = error as { statusCode?: number; expose?: boolean; message?: string } | null;
      if (exposed?.expose && typeof exposed.statusCode === 'number' && exposed.statusCode < 500) {
        const code = exposed.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST';
        request.response = json(exposed.statusCode, {
          error: { code, message: exposed.message, details: [] },
        });
        return;
      }
      // routeKey, not rawPath: the webhook's path carries its secret token.
      log.error('unhandled error', { error, route: request.event?.routeKey });
      request.response = json(500, { error: { code: 'INTERNAL', message: 'internal error', details: [] } });
    },
  };
}
