import { z } from 'zod';
import { functionSpecs } from '../infra/functions';
import { DynamoCatalog } from '../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { loadEnv } from '../shared/env';
import { httpHandler } from '../shared/http/handler';
import { json } from '../shared/http/respond';
import { listCatalog } from '../shared/usecases/catalog';

const env = loadEnv(functionSpecs.catalog.env);
const deps = { catalog: new DynamoCatalog(createDocumentClient(), env.CATALOG_TABLE) };

/** GET /v1/catalog: pages → regions → components, public, for subscription pickers. */
export const handler = httpHandler({ input: z.object({}) }, async () =>
  json(200, await listCatalog(deps), { 'cache-control': 'public, max-age=60' }),
);
