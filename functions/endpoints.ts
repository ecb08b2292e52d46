import middy from '@middy/core';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { DynamoCatalog } from '../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoDeliveries } from '../shared/adapters/dynamo/deliveries';
import { DynamoEndpoints } from '../shared/adapters/dynamo/endpoints';
import { DynamoIncidents } from '../shared/adapters/dynamo/incidents';
import { DynamoSendBatches } from '../shared/adapters/dynamo/send-batches';
import { DynamoSubscriberChanges } from '../shared/adapters/dynamo/subscriber-changes';
import { DynamoSubscribers } from '../shared/adapters/dynamo/subscribers';
import { DynamoSuppressions } from '../shared/adapters/dynamo/suppressions';
import { EndpointClient } from '../shared/adapters/endpoint-client';
import { lazySesClient, SesMailer } from '../shared/adapters/ses/mailer';
import { Delivery } from '../shared/domain/delivery';
import { SendBatch } from '../shared/domain/send-batch';
import * as z from '../shared/domain/zod';
import { ENDPOINT_STREAM, FUNCTION_ENV } from '../shared/function-env';
import { log } from '../shared/log';
import { METRIC } from '../shared/metric-names';
import { count } from '../shared/metrics';
import { observed } from '../shared/observed';
import { systemClock } from '../shared/ports';
import { loadConfig } from '../shared/secrets';
import { newImages } from '../shared/stream';
import { deliverToEndpoints, type EndpointWork } from '../shared/usecases/deliver-to-endpoints';

const env = await loadConfig(FUNCTION_ENV.endpoints);
const db = createDocumentClient();
const deps = {
  deliveries: new DynamoDeliveries(db, env.DELIVERIES_TABLE),
  sendBatches: new DynamoSendBatches(db, env.DELIVERIES_TABLE),
  endpoints: new DynamoEndpoints(db, env.SUBSCRIBERS_TABLE, env.CHANNEL_SEALING_SECRET),
  subscribers: new DynamoSubscribers(db, env.SUBSCRIBERS_TABLE),
  changes: new DynamoSubscriberChanges(db, env.SUBSCRIBERS_TABLE),
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

/** A batch of endpoints from the fan-out (it has recipients), or a delivery due again. */
const EndpointImage = z.union([SendBatch, Delivery]);

/**
 * Deliveries stream (batches of endpoints from the fan-out, and deliveries due again that the sweep
 * brought back) → one signed POST each. A failure to record fails the batch, whose POSTs are then
 * repeated with the same webhook-id.
 */
export const handler = middy<unknown, DynamoDBBatchResponse>()
  .use(observed({ counts: true }))
  .handler(async (event) => {
    const records = newImages(event, EndpointImage, ENDPOINT_STREAM.eventNames);
    const unreadable = records.flatMap((r) => ('problem' in r ? [r] : []));
    for (const record of unreadable) log.error('unparseable endpoint delivery record', { ...record });
    const work = records.flatMap((r): EndpointWork[] => {
      if (!('item' in r)) return [];
      return 'recipients' in r.item ? [{ batch: r.item }] : [{ delivery: r.item }];
    });
    const result = await deliverToEndpoints(deps, work);
    log.info('delivered to endpoints', { ...result, unreadable: unreadable.length });
    count(METRIC.endpointsDelivered, result.delivered);
    count(METRIC.endpointsFailed, result.failed);
    count(METRIC.endpointsQuarantined, result.quarantined);
    count(METRIC.chatMessagesRefused, result.malformed);
    return { batchItemFailures: unreadable.map((r) => ({ itemIdentifier: r.recordId })) };
  });
