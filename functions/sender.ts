import { SESv2Client } from '@aws-sdk/client-sesv2';
import middy from '@middy/core';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { DynamoCatalog } from '../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoDeliveries } from '../shared/adapters/dynamo/deliveries';
import { DynamoIncidents } from '../shared/adapters/dynamo/incidents';
import { DynamoSendBatches } from '../shared/adapters/dynamo/send-batches';
import { DynamoSendPause } from '../shared/adapters/dynamo/send-pause';
import { DynamoSendPacer } from '../shared/adapters/dynamo/send-rate';
import { DynamoSubscriberChanges } from '../shared/adapters/dynamo/subscriber-changes';
import { DynamoSubscribers } from '../shared/adapters/dynamo/subscribers';
import { DynamoSuppressions } from '../shared/adapters/dynamo/suppressions';
import { cachedCatalog, cachedIncidents, cachedSuppressionList } from '../shared/adapters/read-cache';
import { sdkLogger } from '../shared/adapters/sdk-logger';
import { SesMailer } from '../shared/adapters/ses/mailer';
import { maxSendRate } from '../shared/adapters/ses/quota';
import { RECIPIENTS_PER_BATCH, SendBatch } from '../shared/domain/send-batch';
import { FUNCTION_ENV, SENDER_STREAM } from '../shared/function-env';
import { log } from '../shared/log';
import { METRIC } from '../shared/metric-names';
import { count, perSecond } from '../shared/metrics';
import { observed } from '../shared/observed';
import { systemClock } from '../shared/ports';
import { loadConfig } from '../shared/secrets';
import { newImages } from '../shared/stream';
import { sendDeliveries } from '../shared/usecases/send-deliveries';

/** A bulk call of 50 is answered in well under a second; one that takes this long is not coming back. */
const SES_CALL_TIMEOUT_MS = 10_000;

/** The incident and its page are read once per container and fan-out, not once per batch. */
const READ_CACHE_MS = 10_000;
/**
 * The suppression list, read once per container for five minutes (what is newer is in the change log),
 * while it stays small enough to hold: 50,000 addresses, about 3 MB read.
 */
const SUPPRESSION_LIST = { ttlMs: 5 * 60_000, max: 50_000 };
/** Room in the send rate taken at once: half a stream batch's recipients, up to five bulk calls. */
const RATE_TAKE_AHEAD = (SENDER_STREAM.batchSize * RECIPIENTS_PER_BATCH) / 2;

const env = await loadConfig(FUNCTION_ENV.sender);
const db = createDocumentClient();
// No SDK-level retries: SendBulkEmail is not idempotent, and throttled sends are retried by the sender.
// A call that hangs ends in a timeout (then the stream's retry) rather than in the function's timeout.
// Made with the first mail (or the quota's read), not with the function: a client costs a cold start.
let ses: SESv2Client | undefined;
const sesClient = () => {
  ses ??= new SESv2Client({
    maxAttempts: 1,
    logger: sdkLogger,
    // Without throwOnRequestTimeout the SDK only warns, and the call waits forever.
    requestHandler: {
      connectionTimeout: 3_000,
      requestTimeout: SES_CALL_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  });
  return ses;
};
const sendRate = await maxSendRate(sesClient, env.SES_MAX_SEND_RATE);
const pacer = new DynamoSendPacer(db, env.SUBSCRIBERS_TABLE, sendRate, () => Date.now(), RATE_TAKE_AHEAD);
const incidents = new DynamoIncidents(db, env.INCIDENTS_TABLE);
const suppressions = new DynamoSuppressions(db, env.SUBSCRIBERS_TABLE);
/** Waiting for room in the send rate must end well before the function's own timeout. */
let paceDeadline = 0;
const deps = {
  deliveries: new DynamoDeliveries(db, env.DELIVERIES_TABLE),
  sendBatches: new DynamoSendBatches(db, env.DELIVERIES_TABLE),
  subscribers: new DynamoSubscribers(db, env.SUBSCRIBERS_TABLE),
  suppressions,
  suppressionList: cachedSuppressionList(suppressions, SUPPRESSION_LIST),
  changes: new DynamoSubscriberChanges(db, env.SUBSCRIBERS_TABLE),
  sendPause: new DynamoSendPause(db, env.SUBSCRIBERS_TABLE, { cacheMs: 5_000 }),
  incidents: Object.assign(cachedIncidents(incidents, READ_CACHE_MS), {
    addSendCounts: incidents.addSendCounts.bind(incidents),
  }),
  catalog: cachedCatalog(new DynamoCatalog(db, env.CATALOG_TABLE), READ_CACHE_MS),
  mailer: new SesMailer(async () => sesClient(), {
    from: env.MAIL_FROM,
    pace: (recipients) => pacer.acquire(recipients, Math.min(Date.now() + PACE_WAIT_MS, paceDeadline)),
    maxPerSecond: sendRate,
    ...(env.SES_CONFIGURATION_SET ? { configurationSetName: env.SES_CONFIGURATION_SET } : {}),
  }),
  clock: systemClock,
  config: {
    mailFrom: env.MAIL_FROM,
    publicBaseUrl: env.PUBLIC_BASE_URL,
    linkSigningSecret: env.LINK_SIGNING_SECRET,
    sesMessageIdDomain: env.SES_MESSAGE_ID_DOMAIN,
  },
};

/** How long one bulk call may wait for room in the send rate before its records go back to the stream. */
const PACE_WAIT_MS = 20_000;
/** Time kept back at the end of an invocation to write the delivery records of the last call. */
const TIMEOUT_MARGIN_MS = 15_000;

/**
 * Deliveries stream (new send batches, and those the sweep brought back) → bulk mail through SES, one
 * delivery record per recipient; throttled or transient failures are retried, and a pause in SES leaves
 * the recipients pending for the sweep.
 */
export const handler = middy<unknown, DynamoDBBatchResponse>()
  .use(observed({ counts: true }))
  .handler(async (event, context) => {
    paceDeadline = Date.now() + context.getRemainingTimeInMillis() - TIMEOUT_MARGIN_MS;
    const records = newImages(event, SendBatch, SENDER_STREAM.eventNames);
    const unreadable = records.flatMap((r) => ('problem' in r ? [r] : []));
    for (const record of unreadable) log.error('unparseable send batch record', { ...record });
    const result = await sendDeliveries(
      deps,
      records.flatMap((r) => ('item' in r ? [{ ...r.item, recordId: r.recordId }] : [])),
    );
    const updates = [
      ...new Set(records.flatMap((r) => ('item' in r ? [`${r.item.incidentId}/${r.item.updateId}`] : []))),
    ];
    log.info('sent deliveries', {
      ...result,
      updates,
      retry: result.retry.length,
      unreadable: unreadable.length,
    });
    countOutcomes(result);
    return {
      batchItemFailures: [...unreadable, ...result.retry.map((recordId) => ({ recordId }))].map((r) => ({
        itemIdentifier: r.recordId,
      })),
    };
  });

/** What an invocation did, as metrics for the dashboard and the alarms. */
function countOutcomes(result: Awaited<ReturnType<typeof sendDeliveries>>) {
  count(METRIC.mailsSent, result.sent);
  count(METRIC.mailsFailed, result.failed);
  count(METRIC.mailsSkipped, result.skipped);
  count(METRIC.mailsDeferred, result.deferred);
  if (result.sesPaused) count(METRIC.sendingPaused, 1);
  perSecond(METRIC.maxSendRate, sendRate);
}
