import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from '../domain/zod';
import { httpHandler } from '../http/handler';
import type { HttpResult } from '../http/respond';
import { errorPage } from '../templates/pages/message';

/** A customer page route: errors become the customer error page (or JSON when the client asks for it). */
export const pageRoute = <S extends z.ZodMiniType>(
  input: S,
  run: (input: z.output<S>, event: APIGatewayProxyEventV2) => Promise<HttpResult>,
  body?: 'form' | 'ignore',
) => httpHandler({ input, pages: errorPage, ...(body ? { body } : {}) }, run);
