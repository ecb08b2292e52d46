import middy from '@middy/core';
import { DynamoRateLimiter } from '../shared/adapters/dynamo/admin-records';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoDeliveries } from '../shared/adapters/dynamo/deliveries';
import { DynamoIncidents } from '../shared/adapters/dynamo/incidents';
import { DynamoSuppressions } from '../shared/adapters/dynamo/suppressions';
import { FUNCTION_ENV } from '../shared/function-env';
import { log } from '../shared/log';
import { METRIC, type MetricName } from '../shared/metric-names';
import { count } from '../shared/metrics';
import { observed } from '../shared/observed';
import { systemClock } from '../shared/ports';
import { loadConfig } from '../shared/secrets';
import { handleSesEvent, SesEvent } from '../shared/usecases/feedback';

const env = await loadConfig(FUNCTION_ENV.feedback);
const db = createDocumentClient();
const deps = {
  suppressions: new DynamoSuppressions(db, env.SUBSCRIBERS_TABLE),
  rateLimiter: new DynamoRateLimiter(db, env.SUBSCRIBERS_TABLE),
  deliveries: new DynamoDeliveries(db, env.DELIVERIES_TABLE),
  incidents: new DynamoIncidents(db, env.INCIDENTS_TABLE),
  clock: systemClock,
};

/** SES events (EventBridge) → suppressions and delivery outcomes. A failure throws: EventBridge retries, then the queue keeps it. */
export const handler = middy<unknown, void>()
  .use(observed({ counts: true }))
  .handler(async (event) => {
    const result = await handleSesEvent(deps, SesEvent.parse(event));
    log.info('SES event handled', result);
    const outcome = OUTCOME_METRICS[result.outcome ?? ''];
    if (outcome) count(outcome, 1);
  });

const OUTCOME_METRICS: Record<string, MetricName> = {
  delivered: METRIC.delivered,
  bounced: METRIC.bounces,
  'soft-bounced': METRIC.bounces,
  complained: METRIC.complaints,
};
