import middy from '@middy/core';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoDeliveries } from '../shared/adapters/dynamo/deliveries';
import { DynamoIncidents } from '../shared/adapters/dynamo/incidents';
import { DynamoSendBatches } from '../shared/adapters/dynamo/send-batches';
import { DynamoSendPause } from '../shared/adapters/dynamo/send-pause';
import { FUNCTION_ENV } from '../shared/function-env';
import { log } from '../shared/log';
import { METRIC } from '../shared/metric-names';
import { count } from '../shared/metrics';
import { observed } from '../shared/observed';
import { systemClock } from '../shared/ports';
import { loadConfig } from '../shared/secrets';
import { bringBackDueEndpointDeliveries } from '../shared/usecases/endpoint-retries';
import { sweepPendingDeliveries } from '../shared/usecases/sweep-pending';

const env = await loadConfig(FUNCTION_ENV.sweeper);
const db = createDocumentClient();
const deps = {
  incidents: new DynamoIncidents(db, env.INCIDENTS_TABLE),
  sendBatches: new DynamoSendBatches(db, env.DELIVERIES_TABLE),
  deliveries: new DynamoDeliveries(db, env.DELIVERIES_TABLE),
  sendPause: new DynamoSendPause(db, env.SUBSCRIBERS_TABLE),
  clock: systemClock,
};

/** A run brings back at most this many deliveries; a bigger backlog takes several minutes' runs. */
const MAX_REDRIVES_PER_RUN = 50_000;
/** Endpoint retries handed back per run: a longer backlog drains over the next minutes' runs. */
const MAX_ENDPOINT_RETRIES_PER_RUN = 5_000;

/** Scheduled: pending deliveries of stalled updates go back to the sender through their stream. */
export const handler = middy()
  .use(observed({ counts: true }))
  .handler(async () => {
    // Endpoints do not wait for SES: their retries are brought back whatever the mail sweep finds.
    const retries = await bringBackDueEndpointDeliveries(deps, MAX_ENDPOINT_RETRIES_PER_RUN);
    count(METRIC.endpointRetriesDue, retries.due);
    const result = await sweepPendingDeliveries(deps, {
      staleAfterMs: env.PENDING_STALE_MINUTES * 60_000,
      maxRedrives: MAX_REDRIVES_PER_RUN,
    });
    // Every run, zeros included: the alarms read a level, not only the runs that found something.
    count(METRIC.stalePendingRecipients, result.pending);
    count(METRIC.givenUpRecipients, result.givenUp);
    count(METRIC.sendingPaused, result.paused ? 1 : 0);
    if (result.givenUp > 0)
      log.error('pending deliveries the sender keeps failing on: see the failure queue', result);
    else if (result.batchesMissing > 0)
      log.error(
        'send batches of unsettled updates are gone (expired): their pending recipients were not sent',
        result,
      );
    else if (result.redriven > 0 || result.stale > 0) log.warn('swept pending deliveries', result);
    return { ...result, endpointRetriesDue: retries.due };
  });
