import * as z from 'zod';
import { functionSpecs } from '../infra/functions';
import { DynamoApiKeys, DynamoAuditLog } from '../shared/adapters/dynamo/admin-records';
import { DynamoCatalog } from '../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoIncidents } from '../shared/adapters/dynamo/incidents';
import { GenericIncident } from '../shared/domain/generic-incident';
import { adminAccess } from '../shared/http/admin-access';
import { httpHandler } from '../shared/http/handler';
import { BODY_LIMITS } from '../shared/http/request';
import { json } from '../shared/http/respond';
import { log } from '../shared/log';
import { METRIC } from '../shared/metric-names';
import { count } from '../shared/metrics';
import { systemClock } from '../shared/ports';
import { loadConfig } from '../shared/secrets';
import { authenticate } from '../shared/usecases/api-keys';
import { ingestGenericIncident } from '../shared/usecases/ingest-generic';

const env = await loadConfig(functionSpecs.incidents.env);
const db = createDocumentClient();
const apiKeys = new DynamoApiKeys(db, env.SUBSCRIBERS_TABLE);
const deps = {
  incidents: new DynamoIncidents(db, env.INCIDENTS_TABLE),
  catalog: new DynamoCatalog(db, env.CATALOG_TABLE),
};

/** POST /v1/incidents: the generic incident API for in-house tooling, with an API key that may write. */
export const handler = httpHandler(
  {
    input: z.object({ body: GenericIncident }),
    maxBodyBytes: BODY_LIMITS.documents,
    counts: true,
    guards: [
      adminAccess({
        // Keys only: a console session has no business posting incidents.
        authenticate: (token) =>
          authenticate({ apiKeys, clock: systemClock, bootstrapKey: env.ADMIN_API_KEY }, token),
        audit: new DynamoAuditLog(db, env.SUBSCRIBERS_TABLE),
      }),
    ],
  },
  async ({ body }) => {
    const result = await ingestGenericIncident(deps, body);
    log.appendKeys({ incidentId: result.incidentId });
    log.info('incident stored', { stored: result.storedUpdates, notifying: result.notifying });
    count(METRIC.updatesIngested, result.storedUpdates.length);
    return json(202, result);
  },
);
