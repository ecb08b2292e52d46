import middy from '@middy/core';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { DynamoCatalog } from '../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoDeliveries } from '../shared/adapters/dynamo/deliveries';
import { DynamoEndpoints } from '../shared/adapters/dynamo/endpoints';
import { DynamoIncidents } from '../shared/adapters/dynamo/incidents';
import { DynamoSubscribers } from '../shared/adapters/dynamo/subscribers';
import { DynamoSuppressions } from '../shared/adapters/dynamo/suppressions';
import { EndpointClient } from '../shared/adapters/endpoint-client';
import { lazySesClient, SesMailer } from '../shared/adapters/ses/mailer';
import { Delivery } from '../shared/domain/delivery';
import { ENDPOINT_STREAM, FUNCTION_ENV } from '../shared/function-env';
import { log } from '../shared/log';
import { METRIC } from '../shared/metric-names';
import { count } from '../shared/metrics';
import { observed } from '../shared/observed';
import { systemClock } from '../shared/ports';
import { loadConfig } from '../shared/secrets';
import { newImages } from '../shared/stream';
import { deliverToEndpoints } from '../shared/usecases/deliver-to-endpoints';

const env = await loadConfig(FUNCTION_ENV.endpoints);
const db = createDocumentClient();
const deps = {
  deliveries: new DynamoDeliveries(db, env.DELIVERIES_TABLE),
  endpoints: new DynamoEndpoints(db, env.SUBSCRIBERS_TABLE, env.CHANNEL_SEALING_SECRET),
  subscribers: new DynamoSubscribers(db, env.SUBSCRIBERS_TABLE),
  incidents: new DynamoIncidents(db, env.INCIDENTS_TABLE),
  catalog: new DynamoCatalog(db, env.CATALOG_TABLE),
  poster: new EndpointClient({ allowLoopback: env.CHANNELS_ALLOW_LOOPBACK }),
  mailer: new SesMailer(lazySesClient(), {
    from: env.MAIL_FROM,
    ...(env.SES_CONFIGURATION_SET ? { configurationSetName: env.SES_CONFIGURATION_SET } : {}),
  }),
  suppressions: new DynamoSuppressions(db, env.SUBSCRIBERS_TABLE),
  clock: systemClock,
  random: Math.random,
  config: { publicBaseUrl: env.PUBLIC_BASE_URL, linkSigningSecret: env.LINK_SIGNING_SECRET },
};

/**
 * Deliveries stream (endpoint deliveries due: handed over by the sender, or brought back by the sweep)
 * → one signed POST each. A failure to record fails the batch, whose POSTs are then repeated with the
 * same webhook-id.
 */
export const handler = middy<unknown, DynamoDBBatchResponse>()
  .use(observed({ counts: true }))
  .handler(async (event) => {
    const records = newImages(event, Delivery, ENDPOINT_STREAM.eventNames);
    const unreadable = records.flatMap((r) => ('problem' in r ? [r] : []));
    for (const record of unreadable) log.error('unparseable endpoint delivery record', { ...record });
    const result = await deliverToEndpoints(
      deps,
      records.flatMap((r) => ('item' in r ? [r.item] : [])),
    );
    log.info('delivered to endpoints', { ...result, unreadable: unreadable.length });
    count(METRIC.endpointsDelivered, result.delivered);
    count(METRIC.endpointsFailed, result.failed);
    count(METRIC.endpointsQuarantined, result.quarantined);
    return { batchItemFailures: unreadable.map((r) => ({ itemIdentifier: r.recordId })) };
  });
