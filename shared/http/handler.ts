import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from '../domain/zod';
import { observed } from '../observed';
import { type ErrorPageRenderer, httpErrors } from './errors';
import { type BodyKind, type ParsedEvent, parseRequest } from './request';
import type { HttpResult } from './respond';

type Guard = MiddlewareObj<APIGatewayProxyEventV2, HttpResult>;

/**
 * The middy chain every HTTP route shares: guards (authentication) first, then the request parsed by the
 * route's schema (a body over `maxBodyBytes`, by default `BODY_LIMITS.default`, refused unread), with
 * every error mapped to a response (JSON, or with `pages` a page for a browser). `run` only ever sees
 * valid input. Logs carry the Lambda context; with `counts`, the metrics `run` adds are flushed.
 */
export function httpHandler<S extends z.ZodMiniType>(
  route: {
    input: S;
    guards?: Guard[];
    body?: BodyKind;
    maxBodyBytes?: number;
    pages?: ErrorPageRenderer;
    counts?: boolean;
  },
  run: (input: z.output<S>, event: APIGatewayProxyEventV2) => Promise<HttpResult>,
) {
  const chain = middy<ParsedEvent<z.output<S>>, HttpResult>()
    .use(observed({ counts: route.counts ?? false }))
    .use(
      httpErrors(route.pages ? { pages: route.pages } : {}) as MiddlewareObj<
        ParsedEvent<z.output<S>>,
        HttpResult
      >,
    );
  for (const guard of route.guards ?? [])
    chain.use(guard as MiddlewareObj<ParsedEvent<z.output<S>>, HttpResult>);
  const handler = chain
    .use(parseRequest(route.input, route.body, route.maxBodyBytes))
    .handler((event) => run(event.input, event));
  // Outside, the handler takes a plain API Gateway event: `input` is added by parseRequest.
  return handler as unknown as middy.MiddyfiedHandler<APIGatewayProxyEventV2, HttpResult>;
}
