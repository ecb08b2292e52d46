import middy from '@middy/core';
import httpRouter from '@middy/http-router';
import { DynamoApiKeys, DynamoAuditLog } from '../shared/adapters/dynamo/admin-records';
import { DynamoCatalog } from '../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoDeliveries } from '../shared/adapters/dynamo/deliveries';
import { DynamoEndpoints } from '../shared/adapters/dynamo/endpoints';
import { DynamoIncidents } from '../shared/adapters/dynamo/incidents';
import { DynamoAdminSessions } from '../shared/adapters/dynamo/sessions';
import { DynamoSubscribers } from '../shared/adapters/dynamo/subscribers';
import { DynamoSuppressions } from '../shared/adapters/dynamo/suppressions';
import { EndpointClient } from '../shared/adapters/endpoint-client';
import { lazySesClient, SesMailer } from '../shared/adapters/ses/mailer';
import {
  ChangeSubscriberInput,
  NewSubscriberInput,
  ReindexInput,
  SubscriberSearch,
  SuppressionInput,
} from '../shared/domain/admin-inputs';
import { CatalogImport } from '../shared/domain/catalog-import';
import { PageId } from '../shared/domain/statuspage';
import * as z from '../shared/domain/zod';
import { AppError } from '../shared/errors';
import { FUNCTION_ENV } from '../shared/function-env';
import { actorOf, adminAccess } from '../shared/http/admin-access';
import { httpErrors } from '../shared/http/errors';
import { httpHandler } from '../shared/http/handler';
import { BODY_LIMITS, PathId } from '../shared/http/request';
import { json } from '../shared/http/respond';
import { systemClock } from '../shared/ports';
import { loadConfig } from '../shared/secrets';
import {
  addSuppression,
  changeSubscriber,
  createSubscriber,
  deliveryHistory,
  eraseSubscriber,
  getSubscriber,
  getSuppression,
  incidentReport,
  reindexSubscribers,
  removeSuppression,
  searchSubscribers,
} from '../shared/usecases/admin-subscribers';
import {
  authenticate,
  CreateApiKeyInput,
  createApiKey,
  listApiKeys,
  revokeApiKey,
} from '../shared/usecases/api-keys';
import { backlog } from '../shared/usecases/backlog';
import { importPageComponents } from '../shared/usecases/catalog';
import {
  createEndpointSubscriber,
  endpointForSupport,
  resumeEndpointForSupport,
  testEndpointForSupport,
} from '../shared/usecases/endpoint-subscribers';
import { exportSubscribers, importSubscribers } from '../shared/usecases/import-export';
import { createSession, currentSession, endSession } from '../shared/usecases/sessions';

const env = await loadConfig(FUNCTION_ENV.admin);
const db = createDocumentClient();
const apiKeys = new DynamoApiKeys(db, env.SUBSCRIBERS_TABLE);
const audit = new DynamoAuditLog(db, env.SUBSCRIBERS_TABLE);
const deps = {
  subscribers: new DynamoSubscribers(db, env.SUBSCRIBERS_TABLE),
  catalog: new DynamoCatalog(db, env.CATALOG_TABLE),
  deliveries: new DynamoDeliveries(db, env.DELIVERIES_TABLE),
  incidents: new DynamoIncidents(db, env.INCIDENTS_TABLE),
  suppressions: new DynamoSuppressions(db, env.SUBSCRIBERS_TABLE),
  mailer: new SesMailer(lazySesClient(), {
    from: env.MAIL_FROM,
    ...(env.SES_CONFIGURATION_SET ? { configurationSetName: env.SES_CONFIGURATION_SET } : {}),
  }),
  apiKeys,
  sessions: new DynamoAdminSessions(db, env.SUBSCRIBERS_TABLE),
  endpoints: new DynamoEndpoints(db, env.SUBSCRIBERS_TABLE, env.CHANNEL_SEALING_SECRET),
  poster: new EndpointClient({ allowLoopback: env.CHANNELS_ALLOW_LOOPBACK }),
  clock: systemClock,
  config: {
    publicBaseUrl: env.PUBLIC_BASE_URL,
    linkSigningSecret: env.LINK_SIGNING_SECRET,
    idleMinutes: env.CONSOLE_IDLE_MINUTES,
    bootstrapKey: env.ADMIN_API_KEY,
  },
};
const authDeps = {
  apiKeys,
  clock: systemClock,
  bootstrapKey: env.ADMIN_API_KEY,
  sessions: { store: deps.sessions, idleMinutes: env.CONSOLE_IDLE_MINUTES },
};
const guards = [
  adminAccess({
    authenticate: (token) => authenticate(authDeps, token),
    audit,
    // Signing in and out of the console changes no data: a read key may do both (both are audited).
    readScoped: ['POST /v1/admin/sessions', 'DELETE /v1/admin/sessions/current'],
  }),
];

const route = <S extends z.ZodMiniType>(
  input: S,
  run: Parameters<typeof httpHandler<S>>[1],
  body?: 'json' | 'text' | 'ignore',
  maxBodyBytes?: number,
) =>
  httpHandler({ input, guards, ...(body ? { body } : {}), ...(maxBodyBytes ? { maxBodyBytes } : {}) }, run);
const Id = z.object({ path: PathId });
/** A suppression's `{id}` is its address: blank (`%20`, `%0D%0A`) it names no item at all. */
const Address = z.object({
  path: z.object({
    id: z.pipe(
      PathId.shape.id,
      z.string().check(z.trim(), z.minLength(1, 'an email address, not blank'), z.maxLength(254)),
    ),
  }),
});
const Page = z.object({
  cursor: z.optional(z.string()),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100),
});

/**
 * The support team's API under /v1/admin: bearer keys with read/write scopes (or a console session made
 * with one), every write audited.
 */
export const handler = middy()
  .use(httpErrors())
  .handler(
    httpRouter([
      {
        method: 'PUT',
        path: '/v1/admin/pages/{pageId}/components',
        handler: route(
          z.object({ path: z.object({ pageId: PageId }), body: CatalogImport }),
          async ({ path, body }) => json(200, await importPageComponents(deps, path.pageId, body)),
          'json',
          BODY_LIMITS.documents,
        ),
      },
      {
        method: 'POST',
        path: '/v1/admin/subscribers',
        handler: route(z.object({ body: NewSubscriberInput }), async ({ body }) =>
          json(
            201,
            'channel' in body
              ? await createEndpointSubscriber(deps, body)
              : await createSubscriber(deps, body),
          ),
        ),
      },
      {
        method: 'GET',
        path: '/v1/admin/subscribers',
        handler: route(z.object({ query: SubscriberSearch }), async ({ query }) =>
          json(200, await searchSubscribers(deps, query)),
        ),
      },
      {
        method: 'GET',
        path: '/v1/admin/subscribers/export',
        handler: route(z.object({ query: Page }), async ({ query }) => {
          const page = await exportSubscribers(deps, query.cursor, Math.min(query.limit, 200));
          return {
            statusCode: 200,
            headers: {
              'content-type': 'text/csv; charset=utf-8',
              ...(page.cursor ? { 'x-next-cursor': page.cursor } : {}),
            },
            body: page.csv,
          };
        }),
      },
      {
        method: 'POST',
        path: '/v1/admin/subscribers/reindex',
        handler: route(z.object({ body: ReindexInput }), async ({ body }) =>
          json(200, await reindexSubscribers(deps, body)),
        ),
      },
      {
        method: 'POST',
        path: '/v1/admin/subscribers/import',
        handler: route(
          z.object({
            body: z.string(),
            query: z.object({
              dryRun: z.pipe(
                z._default(z.enum(['true', 'false']), 'false'),
                z.transform((v) => v === 'true'),
              ),
            }),
          }),
          async ({ body, query }, event) => {
            if (!/^text\/csv\b/i.test(event.headers?.['content-type'] ?? '')) {
              throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the file as text/csv', [
                { path: 'content-type', message: 'must be text/csv' },
              ]);
            }
            return json(200, await importSubscribers(deps, body, query));
          },
          'text',
          BODY_LIMITS.documents,
        ),
      },
      {
        method: 'GET',
        path: '/v1/admin/subscribers/{id}',
        handler: route(Id, async ({ path }) => json(200, await getSubscriber(deps, path.id))),
      },
      {
        method: 'PATCH',
        path: '/v1/admin/subscribers/{id}',
        handler: route(z.extend(Id, { body: ChangeSubscriberInput }), async ({ path, body }) =>
          json(200, await changeSubscriber(deps, path.id, body)),
        ),
      },
      {
        method: 'DELETE',
        path: '/v1/admin/subscribers/{id}',
        handler: route(Id, async ({ path }) => json(200, await eraseSubscriber(deps, path.id))),
      },
      {
        method: 'GET',
        path: '/v1/admin/subscribers/{id}/deliveries',
        handler: route(z.extend(Id, { query: Page }), async ({ path, query }) =>
          json(200, await deliveryHistory(deps, path.id, query.cursor, query.limit)),
        ),
      },
      {
        method: 'GET',
        path: '/v1/admin/subscribers/{id}/endpoint',
        handler: route(Id, async ({ path }) => json(200, await endpointForSupport(deps, path.id))),
      },
      {
        method: 'POST',
        path: '/v1/admin/subscribers/{id}/endpoint/test',
        handler: route(Id, async ({ path }) => json(200, await testEndpointForSupport(deps, path.id))),
      },
      {
        method: 'POST',
        path: '/v1/admin/subscribers/{id}/endpoint/resume',
        handler: route(Id, async ({ path }) => json(200, await resumeEndpointForSupport(deps, path.id))),
      },
      {
        method: 'GET',
        path: '/v1/admin/incidents/{id}',
        handler: route(Id, async ({ path }) => json(200, await incidentReport(deps, path.id))),
      },
      {
        method: 'GET',
        path: '/v1/admin/suppressions',
        handler: route(z.object({ query: Page }), async ({ query }) =>
          json(200, await deps.suppressions.list(query.cursor, query.limit)),
        ),
      },
      {
        method: 'GET',
        path: '/v1/admin/suppressions/{id}',
        handler: route(Address, async ({ path }) => json(200, await getSuppression(deps, path.id))),
      },
      {
        method: 'POST',
        path: '/v1/admin/suppressions',
        handler: route(z.object({ body: SuppressionInput }), async ({ body }, event) =>
          json(201, await addSuppression(deps, body, actorOf(event).id)),
        ),
      },
      {
        method: 'DELETE',
        path: '/v1/admin/suppressions/{id}',
        handler: route(Address, async ({ path }) => json(200, await removeSuppression(deps, path.id))),
      },
      {
        method: 'GET',
        path: '/v1/admin/keys',
        handler: route(z.object({}), async (_, event) => json(200, await listApiKeys(deps, actorOf(event)))),
      },
      {
        method: 'POST',
        path: '/v1/admin/keys',
        handler: route(z.object({ body: CreateApiKeyInput }), async ({ body }, event) =>
          json(201, await createApiKey(deps, body, actorOf(event))),
        ),
      },
      {
        method: 'DELETE',
        path: '/v1/admin/keys/{id}',
        handler: route(Id, async ({ path }, event) =>
          json(200, await revokeApiKey(deps, path.id, actorOf(event))),
        ),
      },
      {
        method: 'POST',
        path: '/v1/admin/sessions',
        handler: route(
          z.object({}),
          async (_, event) => json(201, await createSession(deps, actorOf(event))),
          'ignore',
        ),
      },
      {
        method: 'GET',
        path: '/v1/admin/sessions/current',
        handler: route(z.object({}), async (_, event) => json(200, currentSession(actorOf(event)))),
      },
      {
        method: 'DELETE',
        path: '/v1/admin/sessions/current',
        handler: route(z.object({}), async (_, event) => json(200, await endSession(deps, actorOf(event)))),
      },
      {
        method: 'GET',
        path: '/v1/admin/audit',
        handler: route(
          z.object({
            query: z.extend(Page, {
              month: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}$/))),
            }),
          }),
          async ({ query }) =>
            json(
              200,
              await audit.list(
                query.month ?? new Date().toISOString().slice(0, 7),
                query.cursor,
                query.limit,
              ),
            ),
        ),
      },
      {
        method: 'GET',
        path: '/v1/admin/backlog',
        handler: route(z.object({}), async () => json(200, await backlog(deps))),
      },
    ]),
  );
