/**
 * `npm run bench`: fan-out and sending throughput against DynamoDB Local and the SES emulator.
 * BENCH_SUBSCRIBERS (default 10000) confirmed subscribers follow one component; one update is fanned
 * out to them and sent in stream-sized batches. Prints wall time, rates, requests per mail and memory:
 * figures to compare between commits on the same machine, not pass/fail thresholds.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { LOCAL_REGION, localCredentials } from '../../infra/local/aws-local';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { startSesLocal } from '../../infra/local/ses-local';
import { createTables } from '../../infra/local/tables';
import { batchWriteAll } from '../../shared/adapters/dynamo/batch';
import { DynamoCatalog } from '../../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoDeliveries } from '../../shared/adapters/dynamo/deliveries';
import { DynamoIncidents } from '../../shared/adapters/dynamo/incidents';
import { DynamoSendPause } from '../../shared/adapters/dynamo/send-pause';
import { DynamoSubscribers } from '../../shared/adapters/dynamo/subscribers';
import { DynamoSuppressions } from '../../shared/adapters/dynamo/suppressions';
import { SesMailer } from '../../shared/adapters/ses/mailer';
import { ComponentsJson } from '../../shared/domain/catalog';
import { StatuspageWebhook } from '../../shared/domain/statuspage';
import { componentTopicKey } from '../../shared/domain/topics';
import { systemClock } from '../../shared/ports';
import { importPageComponents } from '../../shared/usecases/catalog';
import { fanOut } from '../../shared/usecases/fan-out';
import { ingestStatuspageWebhook } from '../../shared/usecases/ingest-statuspage';
import { sendDeliveries } from '../../shared/usecases/send-deliveries';
import componentsJson from '../fixtures/components.json';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, US_CHAT } from '../fixtures/seeds';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 10_000);
const STREAM_BATCH = 100; // the sender's batch size in infra/functions.ts

function counting<T extends DynamoDBClient | SESv2Client>(client: T) {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counts.set(context.commandName ?? '?', (counts.get(context.commandName ?? '?') ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize' },
  );
  return {
    client,
    counts,
    reset: () => counts.clear(),
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
  };
}

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

const dynamo = await startDynamoDbLocal(Number(process.env.BENCH_DYNAMODB_PORT ?? 8765));
const ses = await startSesLocal(0);
try {
  const config = { endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: localCredentials };
  const dynamoClient = counting(new DynamoDBClient(config));
  const sesClient = counting(new SESv2Client({ ...config, endpoint: ses.endpoint }));
  const tables = await createTables(dynamoClient.client, `bench${randomUUID().slice(0, 6)}-`);
  const db = createDocumentClient(dynamoClient.client);
  const deps = {
    incidents: new DynamoIncidents(db, tables.incidents),
    catalog: new DynamoCatalog(db, tables.catalog),
    subscribers: new DynamoSubscribers(db, tables.subscribers),
    deliveries: new DynamoDeliveries(db, tables.deliveries),
    suppressions: new DynamoSuppressions(db, tables.subscribers),
    sendPause: new DynamoSendPause(db, tables.subscribers),
    mailer: new SesMailer(sesClient.client, { from: 'status@notifier.example.com' }),
    clock: systemClock,
    config: {
      mailFrom: 'status@notifier.example.com',
      publicBaseUrl: 'https://status.example.com',
      linkSigningSecret: 'b'.repeat(32),
      sesMessageIdDomain: 'email.amazonses.com',
    },
  };
  await importPageComponents(deps, PAGE_ID, ComponentsJson.parse(componentsJson));

  const seedStart = performance.now();
  const topic = componentTopicKey(PAGE_ID, US_CHAT);
  const subscriberIds = Array.from({ length: SUBSCRIBERS }, () => randomUUID());
  await batchWriteAll(
    db,
    tables.subscribers,
    subscriberIds.flatMap((id, n) => {
      const email = `s${n}@example.com`;
      const profile = {
        pk: id,
        sk: 'PROFILE',
        id,
        email,
        status: 'confirmed',
        level: 'all',
        createdAt: new Date().toISOString(),
        linkNonce: `nonce${n}`,
        version: 0,
      };
      const topicItem = {
        pk: id,
        sk: `TOPIC#${topic}`,
        topic,
        key: topic,
        pageId: PAGE_ID,
        componentId: US_CHAT,
        email,
        status: 'confirmed',
        level: 'all',
      };
      return [{ PutRequest: { Item: profile } }, { PutRequest: { Item: topicItem } }];
    }),
  );
  console.log(
    `seeded ${SUBSCRIBERS} subscribers in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
  );

  const ingested = await ingestStatuspageWebhook(
    deps,
    StatuspageWebhook.parse(incidentWebhook(chatMessagesMayFail, 1)),
  );
  if (ingested.kind !== 'incident') throw new Error('expected an incident');
  const target = { incidentId: ingested.incidentId, updateId: ingested.notifying[0]! };

  dynamoClient.reset();
  const fanStart = performance.now();
  const fanned = await fanOut(deps, target);
  const fanSeconds = (performance.now() - fanStart) / 1000;
  const fanRequests = dynamoClient.total();
  console.log(
    `fan-out: ${fanned.audience} deliveries in ${fanSeconds.toFixed(2)} s (${Math.round(fanned.audience / fanSeconds)}/s), ` +
      `${fanRequests} DynamoDB requests (${(fanRequests / fanned.audience).toFixed(3)} per delivery)`,
  );

  dynamoClient.reset();
  const sendStart = performance.now();
  let sent = 0;
  for (let i = 0; i < subscriberIds.length; i += STREAM_BATCH) {
    const batch = subscriberIds
      .slice(i, i + STREAM_BATCH)
      .map((subscriberId, n) => ({ subscriberId, ...target, recordId: String(i + n) }));
    sent += (await sendDeliveries(deps, batch)).sent;
  }
  const sendSeconds = (performance.now() - sendStart) / 1000;
  console.log(
    `send: ${sent} mails in ${sendSeconds.toFixed(2)} s (${Math.round(sent / sendSeconds)}/s), ` +
      `${dynamoClient.total()} DynamoDB requests (${(dynamoClient.total() / sent).toFixed(3)} per mail), ` +
      `${sesClient.total()} SES calls (${(sent / sesClient.total()).toFixed(1)} mails per call)`,
  );
  console.log(`DynamoDB requests while sending: ${JSON.stringify(Object.fromEntries(dynamoClient.counts))}`);
  console.log(
    `peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (one process: benchmark, handlers and the SES emulator)`,
  );
} finally {
  clearInterval(sampler);
  await ses.stop();
  await dynamo.stop();
}
