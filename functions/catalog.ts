import middy from '@middy/core';
import httpRouter from '@middy/http-router';
import { z } from 'zod';
import { functionSpecs } from '../infra/functions';
import { DynamoCatalog } from '../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { httpErrors } from '../shared/http/errors';
import { httpHandler } from '../shared/http/handler';
import { openApiDocument } from '../shared/http/openapi';
import { json } from '../shared/http/respond';
import { loadConfig } from '../shared/secrets';
import { listCatalog } from '../shared/usecases/catalog';

const env = await loadConfig(functionSpecs.catalog.env);
const deps = { catalog: new DynamoCatalog(createDocumentClient(), env.CATALOG_TABLE) };

const catalog = httpHandler({ input: z.object({}) }, async () =>
  json(200, await listCatalog(deps), { 'cache-control': 'public, max-age=60' }),
);

const openApi = httpHandler({ input: z.object({}) }, async () =>
  json(200, openApiDocument(env.PUBLIC_BASE_URL)),
);

/** Public reads: GET /v1/catalog (pages → regions → components, for pickers) and the API's OpenAPI document. */
export const handler = middy()
  .use(httpErrors())
  .handler(
    httpRouter([
      { method: 'GET', path: '/v1/catalog', handler: catalog },
      { method: 'GET', path: '/v1/openapi.json', handler: openApi },
    ]),
  );
