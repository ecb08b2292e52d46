import middy from '@middy/core';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { DynamoCatalog } from '../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoIncidents } from '../shared/adapters/dynamo/incidents';
import { DynamoSendBatches } from '../shared/adapters/dynamo/send-batches';
import { DynamoSubscribers } from '../shared/adapters/dynamo/subscribers';
import { IncidentUpdate } from '../shared/domain/incident';
import { FUNCTION_ENV } from '../shared/function-env';
import { log } from '../shared/log';
import { METRIC } from '../shared/metric-names';
import { count } from '../shared/metrics';
import { observed } from '../shared/observed';
import { systemClock } from '../shared/ports';
import { loadConfig } from '../shared/secrets';
import { newImages, processInOrder } from '../shared/stream';
import { fanOut } from '../shared/usecases/fan-out';

const env = await loadConfig(FUNCTION_ENV.fanout);
const db = createDocumentClient();
const deps = {
  incidents: new DynamoIncidents(db, env.INCIDENTS_TABLE),
  catalog: new DynamoCatalog(db, env.CATALOG_TABLE),
  subscribers: new DynamoSubscribers(db, env.SUBSCRIBERS_TABLE),
  sendBatches: new DynamoSendBatches(db, env.DELIVERIES_TABLE),
  clock: systemClock,
};

/** Incidents stream (INSERT of a notifying update) → the update's recipients in send batches. */
export const handler = middy<unknown, DynamoDBBatchResponse>()
  .use(observed({ counts: true }))
  .handler(async (event) =>
    processInOrder(newImages(event, IncidentUpdate), async (update) => {
      if (!update.notify) return; // the event filter should not pass it; never fan out what must not notify
      const result = await fanOut(deps, update);
      count(METRIC.recipientsMatched, result.batched);
      log.info('fanned out', { incidentId: update.incidentId, updateId: update.updateId, ...result });
    }),
  );
