import middy from '@middy/core';
import httpRouter from '@middy/http-router';
import { z } from 'zod';
import { functionSpecs } from '../infra/functions';
import { DynamoCatalog } from '../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoSubscribers } from '../shared/adapters/dynamo/subscribers';
import { ComponentsJson } from '../shared/domain/catalog';
import { loadEnv } from '../shared/env';
import { requireBearer } from '../shared/http/auth';
import { httpErrors } from '../shared/http/errors';
import { httpHandler } from '../shared/http/handler';
import { json } from '../shared/http/respond';
import { importPageComponents } from '../shared/usecases/catalog';
import {
  CreateSubscriberInput,
  createSubscriber,
  findSubscribersByEmail,
} from '../shared/usecases/subscribers';

const env = loadEnv(functionSpecs.admin.env);
const db = createDocumentClient();
const deps = {
  subscribers: new DynamoSubscribers(db, env.SUBSCRIBERS_TABLE),
  catalog: new DynamoCatalog(db, env.CATALOG_TABLE),
};
const guards = [requireBearer(env.ADMIN_API_KEY)];

const importComponents = httpHandler(
  { input: z.object({ path: z.object({ pageId: z.string().min(1) }), body: ComponentsJson }), guards },
  async ({ path, body }) => json(200, await importPageComponents(deps, path.pageId, body)),
);

const addSubscriber = httpHandler(
  { input: z.object({ body: CreateSubscriberInput }), guards },
  async ({ body }) => json(201, await createSubscriber(deps, body)),
);

const findSubscribers = httpHandler(
  { input: z.object({ query: z.object({ email: z.string().min(1) }) }), guards },
  async ({ query }) => json(200, await findSubscribersByEmail(deps, query.email)),
);

/** The support team's API under /v1/admin, behind the admin bearer key. */
export const handler = middy()
  .use(httpErrors())
  .handler(
    httpRouter([
      { method: 'PUT', path: '/v1/admin/pages/{pageId}/components', handler: importComponents },
      { method: 'POST', path: '/v1/admin/subscribers', handler: addSubscriber },
      { method: 'GET', path: '/v1/admin/subscribers', handler: findSubscribers },
    ]),
  );
