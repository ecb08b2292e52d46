import middy from '@middy/core';
import httpRouter from '@middy/http-router';
import * as z from 'zod';
import { functionSpecs } from '../infra/functions';
import { DynamoCatalog } from '../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { AppError } from '../shared/errors';
import { httpErrors } from '../shared/http/errors';
import { httpHandler } from '../shared/http/handler';
import { openApiDocument } from '../shared/http/openapi';
import { json } from '../shared/http/respond';
import { loadConfig } from '../shared/secrets';
import { getAsset } from '../shared/templates/assets';
import { listCatalog } from '../shared/usecases/catalog';

const env = await loadConfig(functionSpecs.catalog.env);
const deps = { catalog: new DynamoCatalog(createDocumentClient(), env.CATALOG_TABLE) };

const catalog = httpHandler({ input: z.object({}) }, async () =>
  json(200, await listCatalog(deps), { 'cache-control': 'public, max-age=60' }),
);

const openApi = httpHandler({ input: z.object({}) }, async () =>
  json(200, openApiDocument(env.PUBLIC_BASE_URL)),
);

const AssetRequest = z.object({
  path: z.object({ name: z.string() }),
  query: z.object({ v: z.string().optional() }).default({}),
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

/**
 * Public reads: GET /v1/catalog (pages → regions → components, for pickers), the API's OpenAPI document,
 * and the pages' stylesheet and script.
 */
export const handler = middy()
  .use(httpErrors())
  .handler(
    httpRouter([
      { method: 'GET', path: '/v1/catalog', handler: catalog },
      { method: 'GET', path: '/v1/openapi.json', handler: openApi },
      { method: 'GET', path: '/assets/{name}', handler: asset },
    ]),
  );
