import middy from '@middy/core';
import httpRouter from '@middy/http-router';
import { AdminApi } from '../shared/adapters/admin-api';
import { loadEnv } from '../shared/env';
import { FUNCTION_ENV } from '../shared/function-env';
import { httpErrors } from '../shared/http/errors';
import { systemClock } from '../shared/ports';
import { consoleRoutes } from '../shared/routes/console/index';
import { consoleErrorPage } from '../shared/templates/pages/console/frame';

const env = loadEnv(FUNCTION_ENV.console);
const deps = {
  // No credential of its own: each request acts with the signed-in person's session token.
  api: new AdminApi(env.ADMIN_API_URL, ''),
  clock: systemClock,
  config: { publicBaseUrl: env.PUBLIC_BASE_URL },
};

/**
 * The support console at /console: server-rendered pages over the admin API (it has no table access),
 * signed in with an API key, a session cookie and CSRF tokens; errors are pages in words.
 */
export const handler = middy()
  .use(httpErrors({ pages: consoleErrorPage }))
  .handler(httpRouter(consoleRoutes(deps)));
