import * as z from '../../domain/zod';
import { AppError } from '../../errors';
import { httpHandler } from '../../http/handler';
import { consoleErrorPage } from '../../templates/pages/console/frame';
import type { HttpRouteHandler } from '../route';
import { type ConsoleDeps, consoleContext } from './context';
import { importRoutes } from './import';
import { incidentRoutes } from './incidents';
import { pageRoutes } from './pages';
import { sessionRoutes } from './session';
import { subscriberRoutes } from './subscribers';
import { suppressionRoutes } from './suppressions';

export type { ConsoleDeps } from './context';

/*
 * The support console: pages over the admin API, and nothing else (no table, no second path into the
 * data). A person signs in with an API key; the console keeps only the session token the API gives
 * back, in an HttpOnly, SameSite=Lax cookie scoped to /console. Every form carries a CSRF token
 * derived from that session. The API decides who may do what; the console says its answers in words.
 */
export function consoleRoutes(deps: ConsoleDeps): HttpRouteHandler[] {
  const context = consoleContext(deps);
  return [
    ...sessionRoutes(deps, context),
    ...subscriberRoutes(context),
    ...suppressionRoutes(context),
    ...importRoutes(context),
    ...incidentRoutes(context),
    ...pageRoutes(context),
    {
      method: 'GET',
      path: '/console/{proxy+}',
      handler: httpHandler({ input: z.object({}), pages: consoleErrorPage }, async () => {
        throw new AppError('NOT_FOUND', 'There is no console page at this address.');
      }),
    },
  ];
}
