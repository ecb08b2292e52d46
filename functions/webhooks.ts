import middy from '@middy/core';
import httpRouter from '@middy/http-router';
import { DynamoCatalog } from '../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoIncidents } from '../shared/adapters/dynamo/incidents';
import type { Incident } from '../shared/domain/incident';
import { StatuspageWebhook } from '../shared/domain/statuspage';
import { BetterStackRequest } from '../shared/domain/vendors/betterstack';
import type { IgnoredWebhook } from '../shared/domain/vendors/common';
import { InstatusWebhook } from '../shared/domain/vendors/instatus';
import * as z from '../shared/domain/zod';
import { FUNCTION_ENV } from '../shared/function-env';
import { requirePathToken } from '../shared/http/auth';
import { httpErrors } from '../shared/http/errors';
import { httpHandler } from '../shared/http/handler';
import { BODY_LIMITS } from '../shared/http/request';
import { json } from '../shared/http/respond';
import { log } from '../shared/log';
import { METRIC } from '../shared/metric-names';
import { count } from '../shared/metrics';
import { loadConfig } from '../shared/secrets';
import { ingestStatuspageWebhook } from '../shared/usecases/ingest-statuspage';

const env = await loadConfig(FUNCTION_ENV.webhooks);
const db = createDocumentClient();
const deps = {
  incidents: new DynamoIncidents(db, env.INCIDENTS_TABLE),
  catalog: new DynamoCatalog(db, env.CATALOG_TABLE),
};

/** One vendor's route: its payload validated as Statuspage's, stored, answered at once; the stream notifies. */
function webhookRoute(
  origin: Incident['source'],
  input: z.ZodMiniType<{ body: StatuspageWebhook | IgnoredWebhook }>,
) {
  return httpHandler(
    {
      input,
      guards: [requirePathToken('token', env.WEBHOOK_TOKEN)],
      maxBodyBytes: BODY_LIMITS.documents,
      counts: true,
    },
    async ({ body }) => {
      if (body.kind === 'ignored') {
        log.info('webhook ignored', { origin, reason: body.reason });
        return json(202, body);
      }
      const result = await ingestStatuspageWebhook(deps, body, origin);
      if (result.kind === 'incident') {
        log.appendKeys({ incidentId: result.incidentId });
        log.info('incident webhook stored', { stored: result.storedUpdates, notifying: result.notifying });
        if (result.unknownComponents)
          log.warn(
            'components not in the catalog: the update reaches their own and the whole page’s followers',
            {
              pageId: body.page.id,
              unknownComponents: result.unknownComponents,
            },
          );
        count(METRIC.updatesIngested, result.storedUpdates.length);
      }
      return json(202, result);
    },
  );
}

/** POST /v1/webhooks/{vendor}/{token}: Statuspage, Instatus and Better Stack onto one ingest. */
export const handler = middy()
  .use(httpErrors())
  .handler(
    httpRouter([
      {
        method: 'POST',
        path: '/v1/webhooks/statuspage/{token}',
        handler: webhookRoute('statuspage', z.object({ body: StatuspageWebhook })),
      },
      {
        method: 'POST',
        path: '/v1/webhooks/instatus/{token}',
        handler: webhookRoute('instatus', z.object({ body: InstatusWebhook })),
      },
      {
        method: 'POST',
        path: '/v1/webhooks/betterstack/{token}',
        handler: webhookRoute('betterstack', BetterStackRequest),
      },
    ]),
  );
