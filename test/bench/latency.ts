/**
 * Latency, in a process of its own: how long the webhook takes to answer (p50/p99 over a few hundred
 * posts, beside a bare PutItem on the same DynamoDB Local), and how long a small page's one follower
 * waits from the webhook to the mail in the inbox. Prints one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_REGION, localCredentials } from '../../infra/local/aws-local';
import { emulatedMail } from '../../infra/local/ses-local';
import { LOCAL_DEFAULTS, startLocalStack } from '../../infra/local/stack';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import componentsJson from '../fixtures/components.json';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { seedFollowers } from '../support/followers';
import { freePort } from '../support/ports';

const POSTS = 300;
const FIRST_MAIL_RUNS = 7;

const stack = await startLocalStack({ apiPort: 0, dynamodb: { port: await freePort() }, ses: { port: 0 } });
try {
  await fetch(`${stack.apiUrl}/v1/admin/pages/${PAGE_ID}/components`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${LOCAL_DEFAULTS.ADMIN_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(componentsJson),
  });
  const db = createDocumentClient(
    new DynamoDBClient({
      endpoint: stack.dynamodbEndpoint,
      region: LOCAL_REGION,
      credentials: localCredentials,
    }),
  );
  await seedFollowers(db, stack.tables.subscribers, {
    pageId: PAGE_ID,
    componentId: US_CHAT,
    count: 1,
    label: 'one',
  });
  const post = (id: string) =>
    fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(incidentWebhook({ ...chatMessagesMayFail, id }, 1)),
    });

  // Webhook to first mail: one incident at a time, the stack idle before each.
  const firstMail: number[] = [];
  for (let run = 0; run < FIRST_MAIL_RUNS; run++) {
    await stack.waitForIdle(60_000);
    const before = emulatedMail().length;
    const started = performance.now();
    const response = await post(`first${run}${randomUUID().slice(0, 6)}`);
    if (!response.ok) throw new Error(`the webhook was answered ${response.status}`);
    while (emulatedMail().length === before) await new Promise((resolve) => setTimeout(resolve, 2));
    firstMail.push(performance.now() - started);
  }

  // Acknowledgements: a new incident each time, one after another, as Statuspage posts them.
  await stack.waitForIdle(60_000);
  const acks: number[] = [];
  for (let n = 0; n < POSTS; n++) {
    const started = performance.now();
    const response = await post(`ack${n}${randomUUID().slice(0, 6)}`);
    await response.arrayBuffer();
    acks.push(performance.now() - started);
  }
  await stack.waitForIdle(120_000);

  const puts: number[] = [];
  for (let n = 0; n < POSTS; n++) {
    const started = performance.now();
    await db.send(new PutCommand({ TableName: stack.tables.catalog, Item: { pk: 'bench', sk: String(n) } }));
    puts.push(performance.now() - started);
  }
  console.log(
    JSON.stringify({
      p50Ms: percentile(acks, 50),
      p99Ms: percentile(acks, 99),
      putItemP50Ms: percentile(puts, 50),
      putItemP99Ms: percentile(puts, 99),
      firstMailMs: percentile(firstMail, 50),
    }),
  );
} finally {
  await stack.stop();
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Number((sorted[Math.max(0, index)] ?? 0).toFixed(1));
}
