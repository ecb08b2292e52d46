import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION, localCredentials } from '../../infra/local/aws-local';
import { type RunningService, startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { emulatedMail, startSesLocal } from '../../infra/local/ses-local';
import { LOCAL_DEFAULTS, LOCAL_MAX_PARALLELIZATION } from '../../infra/local/stack';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { tables } from '../../shared/adapters/dynamo/tables';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { seedFollowers } from '../support/followers';
import { freePort } from '../support/ports';
import { runSeed, seededRandom } from '../support/random';
import { adminHeaders } from '../support/stack';

/**
 * `npm start` is killed with SIGKILL at random moments while it fans an incident out to thousands and
 * sends (the emulator's mail is ours alone here, so its count says how far sending got), and started again against the same DynamoDB Local and SES emulator (both in this process, so
 * they outlive it). Everyone must get every update; a crash may double at most, for each sender running
 * in the process, the one bulk call SES had accepted before its delivery records were written.
 */
const FOLLOWERS = 2000;
/** Webhook subscribers beside the mail's followers, each an endpoint of the receiver below. */
const WEBHOOKS = 40;
const CRASHES = 3;
const BULK_CALL = 50;
const ROOT = join(import.meta.dirname, '..', '..');

let dynamodb: RunningService;
let ses: RunningService;
let workDir: string;
let apiPort: number;
let child: ChildProcess | undefined;
let output = '';
/** What the webhooks received, by endpoint path: each POST's webhook-id and the update it was about. */
const posts = new Map<string, Array<{ id: string; update: string }>>();
let receiver: Server;

beforeAll(async () => {
  dynamodb = await startDynamoDbLocal(await freePort());
  ses = await startSesLocal(0);
  // Outlives every crash of the notifier, as a customer's endpoint would.
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const update = (JSON.parse(body) as { data?: { update?: { id?: string } } }).data?.update?.id ?? '';
      const list = posts.get(request.url ?? '') ?? [];
      list.push({ id: String(request.headers['webhook-id']), update });
      posts.set(request.url ?? '', list);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  workDir = mkdtempSync(join(tmpdir(), 'crash-'));
  apiPort = await freePort();
});

afterAll(async () => {
  child?.kill('SIGKILL');
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  await ses?.stop();
  await dynamodb?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

/** `npm start`, as a newcomer runs it, pointed at services that outlive it. Resolves once it answers. */
async function startNotifier(): Promise<void> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  // Node itself runs the entry point (not the tsx CLI, which would put a second process in between and
  // take the SIGKILL meant for the one running the handlers).
  child = spawn(process.execPath, ['--import', tsx, join(ROOT, 'infra/local/start.ts')], {
    cwd: workDir,
    env: {
      ...process.env,
      PORT: String(apiPort),
      DYNAMODB_ENDPOINT: dynamodb.endpoint,
      SES_ENDPOINT: ses.endpoint,
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${output}`);
    const health = await fetch(`http://127.0.0.1:${apiPort}/v1/health`).catch(() => undefined);
    if (health?.ok) return;
    await sleep(100);
  }
  throw new Error(`npm start did not answer within 30 s:\n${output}`);
}

async function crash(): Promise<void> {
  const running = child;
  if (!running || running.exitCode !== null) return;
  await new Promise((resolve) => {
    running.once('exit', resolve);
    running.kill('SIGKILL');
  });
}

function postWebhook(updates: number) {
  return fetch(`http://127.0.0.1:${apiPort}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(incidentWebhook(chatMessagesMayFail, updates)),
  });
}

describe('a crash in the middle of a fan-out and its sending', () => {
  it('loses nothing and doubles at most one bulk call per sender per crash', {
    timeout: 240_000,
  }, async () => {
    const seed = runSeed();
    const random = seededRandom(seed);
    const config = { endpoint: dynamodb.endpoint, region: LOCAL_REGION, credentials: localCredentials };
    const db = createDocumentClient(new DynamoDBClient(config));

    await startNotifier();
    const imported = await fetch(`http://127.0.0.1:${apiPort}/v1/admin/pages/${PAGE_ID}/components`, {
      method: 'PUT',
      headers: adminHeaders,
      body: JSON.stringify(await import('../fixtures/components.json').then((m) => m.default)),
    });
    expect(imported.status).toBe(200);
    const followers = await seedFollowers(db, tables.subscribers.name, {
      pageId: PAGE_ID,
      componentId: US_CHAT,
      count: FOLLOWERS,
      label: 'crash',
    });
    const emails = followers.map((follower) => follower.email);
    const hooks = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    for (let n = 0; n < WEBHOOKS; n++) {
      const added = await fetch(`http://127.0.0.1:${apiPort}/v1/admin/subscribers`, {
        method: 'POST',
        headers: adminHeaders,
        body: JSON.stringify({
          channel: { type: 'webhook', url: `${hooks}/${n}` },
          ownerEmail: `crash-hook-${n}@example.com`,
          topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
          confirmed: true,
        }),
      });
      expect(added.status).toBe(201);
    }

    // The first crash comes during the first update's fan-out or first sends; the others when a random
    // share of the mails still to send has gone out, so that they hit sending and recording.
    const expected = FOLLOWERS * 2;
    const expectedRecords = (FOLLOWERS + WEBHOOKS) * 2;
    const moments: string[] = [];
    expect((await postWebhook(1)).status).toBeLessThan(300);
    await sleep(Math.round(100 + random() * 800));
    for (let crashNumber = 0; crashNumber < CRASHES; crashNumber++) {
      if (crashNumber > 0) {
        const sent = emulatedMail().length;
        const target = sent + Math.max(1, Math.round(random() * 0.5 * (expected - sent)));
        await until(() => emulatedMail().length >= target, 60_000);
      }
      moments.push(`${emulatedMail().length} mails in`);
      await crash();
      await startNotifier();
      if (crashNumber === 0) expect((await postWebhook(2)).status).toBeLessThan(300);
    }

    const deadline = Date.now() + 150_000;
    let pending = Number.POSITIVE_INFINITY;
    while (Date.now() < deadline) {
      pending = expectedRecords - (await countRecorded(db));
      if (pending === 0 && distinctMails(emails).distinct >= expected) break;
      await sleep(500);
    }
    await sleep(1000); // anything still in flight lands before counting
    const { distinct, total, perRecipient } = distinctMails(emails);
    const duplicates = total - distinct;
    console.log(
      `crash test (seed ${seed}): SIGKILL at ${moments.join(', ')}; ${total} mails for ${expected} deliveries, ${duplicates} duplicate(s)`,
    );
    expect(pending, output).toBe(0);
    expect(distinct).toBe(expected);
    expect([...perRecipient.values()].every((updates) => updates.size === 2)).toBe(true);
    // A crash kills every sender of the process at once (in AWS, one Lambda instance dies alone): each
    // can double the one bulk call whose delivery records it had not written yet.
    expect(duplicates).toBeLessThanOrEqual(CRASHES * LOCAL_MAX_PARALLELIZATION * BULK_CALL);
    // Every webhook got both updates; a POST repeated by a crash carries the same webhook-id.
    const repeats = [...posts.values()].reduce(
      (n, list) => n + list.length - new Set(list.map((p) => p.id)).size,
      0,
    );
    console.log(`crash test: ${WEBHOOKS} webhooks, ${repeats} POST(s) repeated with their webhook-id`);
    expect(posts.size).toBe(WEBHOOKS);
    for (const [path, list] of posts) {
      const idsByUpdate = Map.groupBy(list, (p) => p.update);
      expect(idsByUpdate.size, path).toBe(2);
      for (const sameUpdate of idsByUpdate.values())
        expect(new Set(sameUpdate.map((p) => p.id)).size, path).toBe(1);
    }
  });
});

/** Delivery records the sender has written: one per recipient per update, once its mail went out. */
async function countRecorded(db: ReturnType<typeof createDocumentClient>): Promise<number> {
  let recorded = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: tables.deliveries.name,
        FilterExpression: 'kind = :delivery AND #status <> :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':delivery': 'delivery', ':pending': 'pending' },
        Select: 'COUNT',
        ExclusiveStartKey: startKey,
      }),
    );
    recorded += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return recorded;
}

/** Mails to the followers: a mail of the same update twice to one address is a duplicate. */
function distinctMails(emails: readonly string[]) {
  const wanted = new Set(emails);
  const perRecipient = new Map<string, Set<string>>();
  let total = 0;
  for (const mail of emulatedMail()) {
    const to = mail.destination.to[0] ?? '';
    if (!wanted.has(to)) continue;
    total++;
    // The newest update leads the text; the rest of a mail of one update is the same for everyone.
    const update = (mail.body.text ?? '').slice(0, 400);
    const seen = perRecipient.get(to) ?? new Set<string>();
    seen.add(update);
    perRecipient.set(to, seen);
  }
  const distinct = [...perRecipient.values()].reduce((sum, updates) => sum + updates.size, 0);
  return { distinct, total, perRecipient };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMs} ms:\n${output}`);
    await sleep(10);
  }
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
