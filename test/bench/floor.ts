import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_REGION, localCredentials } from '../../infra/local/aws-local';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { createTables } from '../../infra/local/tables';
import { chunk } from '../../shared/adapters/dynamo/batch';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { SesMailer } from '../../shared/adapters/ses/mailer';
import { planIncidentIngest } from '../../shared/domain/ingest-plan';
import { StatuspageIncidentWebhook } from '../../shared/domain/statuspage';
import { renderFooter, renderNotification } from '../../shared/templates/notification';
import { chatMessagesMayFail, incidentWebhook } from '../fixtures/seeds';
import { freePort } from '../support/ports';

export interface Floor {
  seconds: number;
  writeSeconds: { oneInFlight: number; eightInFlight: number };
  sendSeconds: number;
}

/**
 * The least work any design must do for one update to N followers, on the same local services as the
 * pipeline: N delivery records (as the sender writes them: sent, with a message id) written with
 * BatchWriteItem into a fresh deliveries table (stream on, as the pipeline's), then N mails of the real
 * notification in SendBulkEmail calls of 50. Writes are timed at 1 and at 8 requests in flight and the
 * better taken (DynamoDB Local serializes writes). Always on a fresh DynamoDB Local: it slows down as its
 * stream tables fill.
 */
export async function measureFloor(subscribers: number, sesEndpoint: string): Promise<Floor> {
  const writeSeconds = await timeRecordWrites(subscribers);
  const sendSeconds = await timeSends(subscribers, sesEndpoint);
  return {
    seconds: Math.min(writeSeconds.oneInFlight, writeSeconds.eightInFlight) + sendSeconds,
    writeSeconds,
    sendSeconds,
  };
}

/** Seconds to write `count` delivery records in batches, at 1 and at 8 requests in flight. */
export async function timeRecordWrites(count: number) {
  return { oneInFlight: await timeWrites(count, 1), eightInFlight: await timeWrites(count, 8) };
}

async function timeWrites(subscribers: number, inFlight: number): Promise<number> {
  const dynamo = await startDynamoDbLocal(await freePort());
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: LOCAL_REGION,
    credentials: localCredentials,
  });
  try {
    const tables = await createTables(client, 'floor-');
    const db = createDocumentClient(client);
    const createdAt = new Date().toISOString();
    const items = Array.from({ length: subscribers }, (_, n) => {
      const subscriberId = randomUUID();
      return {
        pk: subscriberId,
        sk: 'DELIVERY#statuspage:page:incident#update',
        kind: 'delivery',
        subscriberId,
        incidentId: 'statuspage:page:incident',
        updateId: 'update',
        email: `s${n}@example.com`,
        topic: 'C#zt2xw0cbdp1v#cmpchatus001',
        status: 'sent',
        messageId: `<0100019a${n.toString(16).padStart(8, '0')}-floor@email.amazonses.com>`,
        attempts: 1,
        createdAt,
        sentAt: createdAt,
        expiresAt: Math.floor(Date.now() / 1000) + 180 * 86_400,
      };
    });
    const started = performance.now();
    await writeAll(db, tables.deliveries, items, inFlight);
    return (performance.now() - started) / 1000;
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

async function writeAll(
  db: DynamoDBDocumentClient,
  table: string,
  items: ReadonlyArray<Record<string, unknown>>,
  inFlight: number,
) {
  const batches = chunk(items, 25);
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let pending = (batches[next++] ?? []).map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const result = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (result.UnprocessedItems?.[table] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

async function timeSends(subscribers: number, sesEndpoint: string): Promise<number> {
  const client = new SESv2Client({
    endpoint: sesEndpoint,
    region: LOCAL_REGION,
    credentials: localCredentials,
  });
  const mailer = new SesMailer(client, { from: 'status@notifier.example.com' });
  const plan = planIncidentIngest(StatuspageIncidentWebhook.parse(incidentWebhook(chatMessagesMayFail, 1)));
  const update = plan.updates.at(-1);
  if (!update) throw new Error('the seed incident has no update');
  const content = renderNotification({
    incident: plan.incident,
    update,
    updates: plan.updates,
    affected: [],
  });
  const recipients = Array.from({ length: subscribers }, (_, n) => ({
    email: `floor${n}@example.com`,
    headers: [],
    footer: renderFooter({
      unsubscribeUrl: `https://status.example.com/v1/unsubscribe?token=${n}`,
      preferencesUrl: `https://status.example.com/v1/preferences?token=${n}`,
      reason: 'Channel - Chat in Prod1 (US)',
    }),
  }));
  const started = performance.now();
  for (const call of chunk(recipients, 50)) {
    const outcomes = await mailer.sendBulk(content, call);
    if (outcomes.some((outcome) => !outcome.ok)) throw new Error('the SES emulator refused a floor call');
  }
  const seconds = (performance.now() - started) / 1000;
  client.destroy();
  return seconds;
}
