import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import httpRouter from '@middy/http-router';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DynamoApiKeys, DynamoAuditLog } from '../shared/adapters/dynamo/admin-records';
import { DynamoCatalog } from '../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoIdempotencyRecords } from '../shared/adapters/dynamo/idempotency';
import { DynamoIncidents } from '../shared/adapters/dynamo/incidents';
import { GenericIncident } from '../shared/domain/generic-incident';
import {
  IncidentPatch,
  IncidentQuery,
  NewIncidentUpdate,
  NewPostmortem,
} from '../shared/domain/incident-api';
import * as z from '../shared/domain/zod';
import { FUNCTION_ENV } from '../shared/function-env';
import { actorOf, adminAccess } from '../shared/http/admin-access';
import { httpErrors } from '../shared/http/errors';
import { httpHandler } from '../shared/http/handler';
import { idempotency, idempotencyId, idempotencyKeyOf } from '../shared/http/idempotency';
import { BODY_LIMITS, IncidentPath } from '../shared/http/request';
import { json } from '../shared/http/respond';
import { log } from '../shared/log';
import { METRIC } from '../shared/metric-names';
import { count } from '../shared/metrics';
import { systemClock } from '../shared/ports';
import { loadConfig } from '../shared/secrets';
import { authenticate } from '../shared/usecases/api-keys';
import {
  addIncidentUpdate,
  getIncident,
  listIncidents,
  patchIncident,
  publishPostmortem,
} from '../shared/usecases/incident-api';
import { ingestGenericIncident } from '../shared/usecases/ingest-generic';

const env = await loadConfig(FUNCTION_ENV.incidents);
const db = createDocumentClient();
const apiKeys = new DynamoApiKeys(db, env.SUBSCRIBERS_TABLE);
const deps = {
  incidents: new DynamoIncidents(db, env.INCIDENTS_TABLE),
  catalog: new DynamoCatalog(db, env.CATALOG_TABLE),
  clock: systemClock,
};
const guards = [
  // Keys only: a console session has no business writing incidents.
  adminAccess({
    authenticate: (token) =>
      authenticate({ apiKeys, clock: systemClock, bootstrapKey: env.ADMIN_API_KEY }, token),
    audit: new DynamoAuditLog(db, env.SUBSCRIBERS_TABLE),
  }),
  idempotency({
    records: new DynamoIdempotencyRecords(db, env.SUBSCRIBERS_TABLE),
    scopeOf: (event) => actorOf(event).id,
  }),
];

const route = <S extends z.ZodMiniType>(
  input: S,
  run: Parameters<typeof httpHandler<S>>[1],
  maxBodyBytes?: number,
) => httpHandler({ input, guards, counts: true, ...(maxBodyBytes ? { maxBodyBytes } : {}) }, run);

/** A new update's id when the request names none: the same for every retry under one Idempotency-Key. */
function fallbackUpdateId(event: APIGatewayProxyEventV2): string {
  const key = idempotencyKeyOf(event);
  return key ? `k-${idempotencyId(actorOf(event).id, key).slice(0, 24)}` : `u-${randomUUID()}`;
}

function stored(result: { incidentId: string; stored?: boolean; storedUpdates?: string[] }) {
  const updates = result.storedUpdates?.length ?? Number(result.stored ?? false);
  log.appendKeys({ incidentId: result.incidentId });
  log.info('incident stored', { stored: updates });
  count(METRIC.updatesIngested, updates);
}

/** The incident API for in-house tooling: API keys that may write (or read, for GET). */
export const handler = middy()
  .use(httpErrors())
  .handler(
    httpRouter([
      {
        method: 'POST',
        path: '/v1/incidents',
        handler: route(
          z.object({ body: GenericIncident }),
          async ({ body }) => {
            const result = await ingestGenericIncident(deps, body);
            stored(result);
            return json(202, result);
          },
          BODY_LIMITS.documents,
        ),
      },
      {
        method: 'GET',
        path: '/v1/incidents',
        handler: route(z.object({ query: IncidentQuery }), async ({ query }) =>
          json(200, await listIncidents(deps, query)),
        ),
      },
      {
        method: 'GET',
        path: '/v1/incidents/{id}',
        handler: route(z.object({ path: IncidentPath }), async ({ path }) =>
          json(200, await getIncident(deps, path.id)),
        ),
      },
      {
        method: 'PATCH',
        path: '/v1/incidents/{id}',
        handler: route(z.object({ path: IncidentPath, body: IncidentPatch }), async ({ path, body }) =>
          json(200, await patchIncident(deps, path.id, body)),
        ),
      },
      {
        method: 'POST',
        path: '/v1/incidents/{id}/updates',
        handler: route(
          z.object({ path: IncidentPath, body: NewIncidentUpdate }),
          async ({ path, body }, event) => {
            const result = await addIncidentUpdate(deps, path.id, body, fallbackUpdateId(event));
            stored(result);
            return json(202, result);
          },
          BODY_LIMITS.documents,
        ),
      },
      {
        method: 'POST',
        path: '/v1/incidents/{id}/postmortem',
        handler: route(
          z.object({ path: IncidentPath, body: NewPostmortem }),
          async ({ path, body }) => {
            const result = await publishPostmortem(deps, path.id, body);
            stored(result);
            return json(202, result);
          },
          BODY_LIMITS.documents,
        ),
      },
    ]),
  );
