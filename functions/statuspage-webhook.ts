import * as z from 'zod';
import { functionSpecs } from '../infra/functions';
import { DynamoCatalog } from '../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoIncidents } from '../shared/adapters/dynamo/incidents';
import { StatuspageWebhook } from '../shared/domain/statuspage';
import { requirePathToken } from '../shared/http/auth';
import { httpHandler } from '../shared/http/handler';
import { BODY_LIMITS } from '../shared/http/request';
import { json } from '../shared/http/respond';
import { log } from '../shared/log';
import { METRIC } from '../shared/metric-names';
import { count } from '../shared/metrics';
import { loadConfig } from '../shared/secrets';
import { ingestStatuspageWebhook } from '../shared/usecases/ingest-statuspage';

const env = await loadConfig(functionSpecs.statuspageWebhook.env);
const db = createDocumentClient();
const deps = {
  incidents: new DynamoIncidents(db, env.INCIDENTS_TABLE),
  catalog: new DynamoCatalog(db, env.CATALOG_TABLE),
};

const Request = z.object({ body: StatuspageWebhook });

/** POST /v1/webhooks/statuspage/{token}: stores the webhook and answers at once; the stream notifies. */
export const handler = httpHandler(
  {
    input: Request,
    guards: [requirePathToken('token', env.WEBHOOK_TOKEN)],
    maxBodyBytes: BODY_LIMITS.documents,
    counts: true,
  },
  async ({ body }) => {
    const result = await ingestStatuspageWebhook(deps, body);
    if (result.kind === 'incident') {
      log.appendKeys({ incidentId: result.incidentId });
      log.info('incident webhook stored', { stored: result.storedUpdates, notifying: result.notifying });
      count(METRIC.updatesIngested, result.storedUpdates.length);
    }
    return json(202, result);
  },
);
