import middy from '@middy/core';
import httpRouter from '@middy/http-router';
import { DynamoCatalog } from '../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoIncidents } from '../shared/adapters/dynamo/incidents';
import * as z from '../shared/domain/zod';
import { AppError } from '../shared/errors';
import { FUNCTION_ENV } from '../shared/function-env';
import { httpErrors } from '../shared/http/errors';
import { httpHandler } from '../shared/http/handler';
import { openApiDocument } from '../shared/http/openapi';
import { json } from '../shared/http/respond';
import { feedRoute } from '../shared/routes/feeds';
import { pageRoute } from '../shared/routes/page-route';
import { loadConfig } from '../shared/secrets';
import { getAsset } from '../shared/templates/assets';
import { listCatalog } from '../shared/usecases/catalog';
import { maintenanceCalendarFile } from '../shared/usecases/maintenance-calendar';

const env = await loadConfig(FUNCTION_ENV.catalog);
const db = createDocumentClient();
const deps = {
  catalog: new DynamoCatalog(db, env.CATALOG_TABLE),
  incidents: new DynamoIncidents(db, env.INCIDENTS_TABLE),
  config: {
    linkSigningSecret: env.LINK_SIGNING_SECRET,
    domain: new URL(env.PUBLIC_BASE_URL).hostname,
    publicBaseUrl: env.PUBLIC_BASE_URL,
  },
};

const catalog = httpHandler({ input: z.object({}) }, async () =>
  json(200, await listCatalog(deps), { 'cache-control': 'public, max-age=60' }),
);

const openApi = httpHandler({ input: z.object({}) }, async () =>
  json(200, openApiDocument(env.PUBLIC_BASE_URL)),
);

const AssetRequest = z.object({
  path: z.object({ name: z.string() }),
  query: z._default(z.object({ v: z.optional(z.string()) }), {}),
});

// A versioned URL never changes content, so browsers keep it for a year; an unversioned one briefly.
const asset = httpHandler({ input: AssetRequest }, async ({ path, query }) => {
  const found = getAsset(path.name);
  if (!found) throw new AppError('NOT_FOUND', `no asset ${path.name}`);
  const immutable = query.v === found.version;
  return {
    statusCode: 200,
    headers: {
      'content-type': found.contentType,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
      'x-content-type-options': 'nosniff',
    },
    body: found.body,
  };
});

const CalendarRequest = z.object({
  query: z.object({
    incident: z.string().check(z.minLength(1), z.maxLength(320)),
    sig: z.string().check(z.minLength(1), z.maxLength(100)),
  }),
});

/** A maintenance's window for calendars, from the link in its mail (attachments cannot go in bulk mail). */
const calendar = pageRoute(CalendarRequest, async ({ query }) => ({
  statusCode: 200,
  headers: {
    'content-type': 'text/calendar; charset=utf-8',
    'content-disposition': 'attachment; filename="maintenance.ics"',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  },
  body: await maintenanceCalendarFile(deps, query),
}));

/**
 * Public reads: GET /v1/catalog (pages → regions → components, for pickers), the API's OpenAPI document,
 * the pages' stylesheet and script, a maintenance's calendar file, and each page's feeds.
 */
export const handler = middy()
  .use(httpErrors())
  .handler(
    httpRouter([
      { method: 'GET', path: '/v1/catalog', handler: catalog },
      { method: 'GET', path: '/v1/openapi.json', handler: openApi },
      { method: 'GET', path: '/assets/{name}', handler: asset },
      { method: 'GET', path: '/v1/calendar', handler: calendar },
      { method: 'GET', path: '/feeds/{feed}', handler: feedRoute(deps) },
    ]),
  );
