import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from '../domain/zod';
import { AppError, type ErrorCode, type ErrorDetail } from '../errors';
import { log, loggableError } from '../log';
import { type HttpResult, html, json, prefersJson } from './respond';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNPROCESSABLE: 422,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  BAD_GATEWAY: 502,
};

/** Renders an error as a page: the customer pages and the console each have their own. */
export type ErrorPageRenderer = (status: number, message: string, details: readonly ErrorDetail[]) => string;

/**
 * An error as every API route answers it: its code, a message, and the fields it is about. The OpenAPI
 * document describes it with this schema and the admin API client reads refusals with it.
 */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z._default(z.array(z.object({ path: z.string(), message: z.string() })), []),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * The one mapping from errors to HTTP: an AppError keeps its code, message and details; a middy HTTP
 * error (a route that does not exist) keeps its status; anything else is a 500 that leaks nothing. With
 * `pages`, a browser gets the same answer as a page in words; a client that asks for JSON still gets JSON.
 */
export function httpErrors(
  options: { pages?: ErrorPageRenderer } = {},
): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  const render = options.pages;
  const respond = (event: APIGatewayProxyEventV2, status: number, body: ErrorBody['error'], headers = {}) =>
    render && !prefersJson(event)
      ? html(status, render(status, body.message, body.details), { headers })
      : json(status, { error: body }, headers);
  return {
    onError: async (request) => {
      const { error, event } = request;
      if (error instanceof AppError) {
        const retryAfter: Record<string, string> = error.retryAfterSeconds
          ? { 'retry-after': String(error.retryAfterSeconds) }
          : {};
        request.response = respond(
          event,
          STATUS[error.code],
          { code: error.code, message: error.message, details: error.details },
          retryAfter,
        );
        return;
      }
      const exposed = error as { statusCode?: number; expose?: boolean; message?: string } | null;
      if (exposed?.expose && typeof exposed.statusCode === 'number' && exposed.statusCode < 500) {
        const code = exposed.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST';
        request.response = respond(event, exposed.statusCode, {
          code,
          message: exposed.message ?? 'bad request',
          details: [],
        });
        return;
      }
      // routeKey, not rawPath: the webhook's path carries its secret token.
      log.error('unhandled error', { error: loggableError(error), route: event?.routeKey });
      request.response = respond(event, 500, { code: 'INTERNAL', message: 'internal error', details: [] });
    },
  };
}
