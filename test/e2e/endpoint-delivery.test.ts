import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION, localCredentials } from '../../infra/local/aws-local';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoSendBatches } from '../../shared/adapters/dynamo/send-batches';
import { endpointAddress } from '../../shared/domain/endpoint';
import { planIncidentIngest } from '../../shared/domain/ingest-plan';
import { StatuspageIncidentWebhook, StatuspageWebhook } from '../../shared/domain/statuspage';
import { WebhookEventV1 } from '../../shared/domain/webhook-events';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, type Seed, US_CHAT } from '../fixtures/seeds';
import { mailTo, uniqueEmail } from '../support/local-aws';
import { adminCall, startTestStack } from '../support/stack';

/*
 * Webhook subscribers through the local stack, against receivers on 127.0.0.1 that answer as real
 * endpoints do: well, in Statuspage's format, failing then recovering, busy with Retry-After, gone,
 * hanging, or not listening at all.
 */

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}
const received = new Map<string, Received[]>();
/** What each path answers, attempt by attempt (the last answer repeats). */
const answers: Record<string, Array<number | 'hang' | 'slow'>> = {
  good: [204],
  statuspage: [200],
  flaky: [500, 200],
  busy: [429, 200],
  gone: [410],
  hanging: ['hang', 200],
  // 200 after three seconds: past a first try's time, within the whole timeout.
  slow: ['slow'],
};

/** Endpoints a test adds for itself, not subscribed with the others at the start. */
const addedLater: Record<string, number[]> = { legacy: [204] };

let stack: LocalStack;
let receiver: Server;
let base: string;
let closedPort: number;
const seed: Seed = { ...chatMessagesMayFail, id: `w${randomUUID().slice(0, 10)}` };

beforeAll(async () => {
  stack = await startTestStack('endpoints');
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const path = (request.url ?? '/').split('/')[1] ?? '';
      const list = received.get(path) ?? [];
      list.push({ headers: request.headers, body });
      received.set(path, list);
      const script = answers[path] ?? addedLater[path] ?? [404];
      const answer = script[Math.min(list.length, script.length) - 1];
      if (answer === 'hang') return;
      if (answer === 'slow') return void setTimeout(() => response.writeHead(200).end(), 3_000);
      response.writeHead(answer ?? 404, answer === 429 ? { 'retry-after': '60' } : {}).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
});
afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  await stack?.stop();
});

const postWebhook = (count: number) =>
  fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(incidentWebhook(seed, count)),
  });

async function addEndpoint(url: string, format: 'v1' | 'statuspage' = 'v1') {
  const ownerEmail = uniqueEmail('owner');
  const created = await adminCall(stack, 'POST', '/v1/admin/subscribers', {
    channel: { type: 'webhook', url, format },
    ownerEmail,
    topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
    confirmed: true,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return {
    id: created.body.id as string,
    secret: created.body.signingSecret as string,
    ownerEmail,
    created,
    url,
  };
}

const deliveriesOf = async (id: string) =>
  (await adminCall(stack, 'GET', `/v1/admin/subscribers/${id}/deliveries`)).body.items as Array<
    Record<string, unknown>
  >;

const tablesClient = () =>
  createDocumentClient(
    new DynamoDBClient({
      endpoint: stack.dynamodbEndpoint,
      region: LOCAL_REGION,
      credentials: localCredentials,
    }),
  );

/** Makes every waiting retry due now, as time would, and lets the sweep bring them back. */
async function retriesDueNow() {
  const db = tablesClient();
  /** Time passing: every waiting delivery's next try (or lease) is now, and the sweep runs. */
  const timePasses = async () => {
    const { Items = [] } = await db.send(
      new ScanCommand({
        TableName: stack.tables.deliveries,
        FilterExpression: 'attribute_exists(retryAt) AND #status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'pending' },
      }),
    );
    for (const item of Items)
      await db.send(
        new UpdateCommand({
          TableName: stack.tables.deliveries,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET retryAt = :past, nextAttemptAt = :past',
          ExpressionAttributeValues: { ':past': '2000-01-01T00:00:00.000Z' },
        }),
      );
    await stack.runScheduled('sweeper');
    return Items.length;
  };
  const waiting = await timePasses();
  const retried = () =>
    ['flaky', 'busy', 'hanging', 'slow'].every((p) => (received.get(p)?.length ?? 0) >= 2);
  // The sweep's writes reach the stream a poll or two later. Should a handback's record be missed, its
  // lease runs out and a later sweep hands it back again: time passes once more.
  for (let round = 0; round < 2 && !retried(); round++) {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !retried()) await new Promise((resolve) => setTimeout(resolve, 100));
    if (!retried()) await timePasses();
  }
  await stack.waitForIdle(60_000);
  return waiting;
}

describe('webhook subscribers', () => {
  let endpoints: Record<string, Awaited<ReturnType<typeof addEndpoint>>>;
  const mailReader = uniqueEmail('reader');

  it('are added by support, checked, with their signing secret answered once', async () => {
    endpoints = {};
    for (const path of Object.keys(answers))
      endpoints[path] = await addEndpoint(
        `${base}/${path}/${randomUUID()}`,
        path === 'statuspage' ? 'statuspage' : 'v1',
      );
    endpoints.refused = await addEndpoint(`http://127.0.0.1:${closedPort}/hook`);
    expect(endpoints.good?.created.body).toMatchObject({
      status: 'confirmed',
      email: endpoints.good?.ownerEmail,
      channel: { type: 'webhook', format: 'v1', host: base.slice('http://'.length) },
      signingSecret: expect.stringMatching(/^whsec_/),
    });
    // The URL is a credential: its token is in no answer.
    const token = endpoints.good?.url.split('/').at(-1) ?? '';
    expect(JSON.stringify(endpoints.good?.created.body)).not.toContain(token);
    const again = await adminCall(stack, 'POST', '/v1/admin/subscribers', {
      channel: { type: 'webhook', url: 'https://169.254.169.254/latest/meta-data/' },
      ownerEmail: uniqueEmail('owner'),
      topics: [{ pageId: PAGE_ID }],
      confirmed: true,
    });
    expect(again.status).toBe(400);
    expect(again.body.error.details).toEqual([
      { path: 'channel.url', message: 'must be a public address, not a private, local or reserved one' },
    ]);
    const mail = await adminCall(stack, 'POST', '/v1/admin/subscribers', {
      email: mailReader,
      topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
      confirmed: true,
    });
    expect(mail.status).toBe(201);
  });

  it('get each update once, signed, in their format, beside the mail; failures wait for their retry', {
    timeout: 60_000,
  }, async () => {
    expect((await postWebhook(1)).status).toBe(202);
    await stack.waitForIdle(60_000);

    const [good] = received.get('good') ?? [];
    expect(good).toBeDefined();
    const headers = {
      'webhook-id': String(good?.headers['webhook-id']),
      'webhook-timestamp': String(good?.headers['webhook-timestamp']),
      'webhook-signature': String(good?.headers['webhook-signature']),
    };
    const event = WebhookEventV1.parse(
      new Webhook(endpoints.good?.secret ?? '').verify(good?.body ?? '', headers),
    );
    expect(event).toMatchObject({
      type: 'incident.update',
      id: headers['webhook-id'],
      data: {
        page: { id: PAGE_ID, name: 'Kustomer' },
        incident: { name: seed.name, status: 'investigating' },
        update: { text: seed.updates[0]?.body },
        components: [{ id: US_CHAT, name: 'Channel - Chat', region: 'Prod1 (US)' }],
      },
    });
    expect(event.data.subscription.unsubscribe_url).toMatch(/\/v1\/unsubscribe\?token=/);

    const [statuspage] = received.get('statuspage') ?? [];
    const parsed = StatuspageWebhook.parse(JSON.parse(statuspage?.body ?? '{}'));
    expect(parsed).toMatchObject({ kind: 'incident', incident: { id: seed.id, name: seed.name } });

    expect(await mailTo([mailReader])).toHaveLength(1);
    for (const path of ['flaky', 'busy', 'gone', 'hanging', 'slow'])
      expect(received.get(path), path).toHaveLength(1);

    const [flaky] = await deliveriesOf(endpoints.flaky?.id ?? '');
    expect(flaky).toMatchObject({ status: 'pending', httpStatus: 500, attempts: 1, error: 'answered 500' });
    const [busy] = await deliveriesOf(endpoints.busy?.id ?? '');
    expect(Date.parse(String(busy?.nextAttemptAt)) - Date.now()).toBeGreaterThan(50_000);
    const [refused] = await deliveriesOf(endpoints.refused?.id ?? '');
    expect(refused).toMatchObject({ status: 'pending', error: 'the connection failed (ECONNREFUSED)' });
    const [hanging] = await deliveriesOf(endpoints.hanging?.id ?? '');
    // A first try has two seconds, or half of one once every other endpoint is done (these two are the
    // last: the invocation waits for nobody else); the retry, the whole five.
    const firstTry =
      /^no answer within (2 s \(a first try’s time\)|0\.\d s \(once the rest of its batch was done\)): tried again with the whole 5 s$/;
    expect(hanging).toMatchObject({ status: 'pending', error: expect.stringMatching(firstTry) });
    const [slow] = await deliveriesOf(endpoints.slow?.id ?? '');
    expect(slow).toMatchObject({ status: 'pending', error: expect.stringMatching(firstTry) });
    const [gone] = await deliveriesOf(endpoints.gone?.id ?? '');
    expect(gone).toMatchObject({
      status: 'failed',
      httpStatus: 410,
      error: 'the endpoint answered 410 Gone',
    });
    const notices = await mailTo([endpoints.gone?.ownerEmail ?? '']);
    expect(notices.map((m) => m.subject)).toEqual([
      'A status webhook was set up for you', // when support added it, with its management link
      'Your status webhook was paused',
    ]);
    expect(notices[1]?.body.text).toContain('the endpoint answered 410 Gone');
  });

  it('retry when due, with the same webhook-id, until the endpoint takes them', {
    timeout: 60_000,
  }, async () => {
    expect(await retriesDueNow()).toBe(5); // flaky, busy, hanging, slow, refused
    for (const path of ['flaky', 'busy', 'hanging', 'slow']) {
      const attempts = received.get(path) ?? [];
      expect(attempts, path).toHaveLength(2);
      expect(attempts[1]?.headers['webhook-id'], path).toBe(attempts[0]?.headers['webhook-id']);
      const [delivery] = await deliveriesOf(endpoints[path]?.id ?? '');
      expect(delivery, path).toMatchObject({ status: 'sent', attempts: 2 });
    }
    const [refused] = await deliveriesOf(endpoints.refused?.id ?? '');
    expect(refused?.status).toBe('pending');
    expect(Number(refused?.attempts)).toBeGreaterThanOrEqual(2); // once more for each time that passed
  });

  it('skip a quarantined endpoint, and deliver the next update to the others once each', {
    timeout: 60_000,
  }, async () => {
    expect((await postWebhook(2)).status).toBe(202);
    await stack.waitForIdle(60_000);
    expect(received.get('gone')).toHaveLength(1);
    const [latest] = await deliveriesOf(endpoints.gone?.id ?? '');
    expect(latest).toMatchObject({ status: 'skipped', error: 'endpoint quarantined' });
    expect(received.get('good')).toHaveLength(2);
    const ids = (received.get('good') ?? []).map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(2);
    // Known slow now: its first try has the whole timeout, and takes the update at once.
    expect(received.get('slow')).toHaveLength(3);
    const [slowLatest] = await deliveriesOf(endpoints.slow?.id ?? '');
    expect(slowLatest).toMatchObject({ status: 'sent', attempts: 1 });
    const paused = (await mailTo([endpoints.gone?.ownerEmail ?? ''])).filter(
      (m) => m.subject === 'Your status webhook was paused',
    );
    const [notice, ...more] = paused;
    expect(more).toEqual([]); // the notice, once

    // Its owner resumes it from the notice's link.
    const manage = new URL(/Manage it: (\S+)/.exec(notice?.body.text ?? '')?.[1] ?? '');
    const path = `${stack.apiUrl}${manage.pathname}${manage.search}`;
    expect(await (await fetch(path, { headers: { accept: 'text/html' } })).text()).toContain('Paused since');
    const resumed = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: 'action=resume',
    });
    const page = await resumed.text();
    expect(page).toContain('Resumed: deliveries start again with the next update.');
    expect(page).not.toContain('Paused since');
  });

  it('in a mail batch (written before endpoints had batches of their own) are handed over and delivered once', {
    timeout: 60_000,
  }, async () => {
    const legacy = await addEndpoint(`${base}/legacy`);
    const db = tablesClient();
    const plan = planIncidentIngest(StatuspageIncidentWebhook.parse(incidentWebhook(seed, 2)));
    const update = plan.updates.at(-1);
    // As an older fan-out wrote its batches: endpoints among the mail's recipients, for the sender.
    const batch = {
      incidentId: plan.incident.incidentId,
      updateId: update?.updateId ?? '',
      index: 900,
      recipients: [
        { subscriberId: legacy.id, email: endpointAddress(legacy.id), topic: `C#${PAGE_ID}#${US_CHAT}` },
      ],
      createdAt: new Date().toISOString(),
    };
    const batches = new DynamoSendBatches(db, stack.tables.deliveries);
    await batches.putAll([batch]);
    await stack.waitForIdle(60_000);
    // Brought back again (the sweep's redrive): nothing is handed over twice.
    await batches.redrive(batch);
    await stack.waitForIdle(60_000);
    const posts = received.get('legacy') ?? [];
    expect(posts).toHaveLength(1);
    const deliveries = await deliveriesOf(legacy.id);
    const delivery = deliveries.find(
      (d) => d.updateId === batch.updateId && d.incidentId === batch.incidentId,
    );
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1, eventId: posts[0]?.headers['webhook-id'] });
    await adminCall(stack, 'DELETE', `/v1/admin/subscribers/${legacy.id}`);
  });

  it('are looked at, tested and resumed by support', async () => {
    const path = (name: string, tail = '') => `/v1/admin/subscribers/${endpoints[name]?.id}/endpoint${tail}`;
    const good = await adminCall(stack, 'GET', path('good'));
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({
      type: 'webhook',
      host: base.slice('http://'.length),
      health: { consecutiveFailures: 0, lastSuccessAt: expect.any(String) },
    });
    expect(JSON.stringify(good.body)).not.toContain(endpoints.good?.url.split('/').at(-1) ?? '');

    const before = received.get('good')?.length ?? 0;
    const tested = await adminCall(stack, 'POST', path('good', '/test'));
    expect(tested.body).toMatchObject({
      outcome: 'delivered',
      message: expect.stringMatching(/answered 204/),
    });
    expect(received.get('good')).toHaveLength(before + 1);
    expect(JSON.parse(received.get('good')?.at(-1)?.body ?? '{}')).toMatchObject({ type: 'test' });

    // The refused endpoint has failed every time: a test says so, and a resume forgets its failures.
    expect((await adminCall(stack, 'GET', path('refused'))).body.health.consecutiveFailures).toBeGreaterThan(
      0,
    );
    expect((await adminCall(stack, 'POST', path('refused', '/test'))).body).toMatchObject({
      outcome: 'retry',
    });
    expect((await adminCall(stack, 'POST', path('refused', '/resume'))).body).toEqual({
      health: { consecutiveFailures: 0 },
    });
    expect((await adminCall(stack, 'GET', path('refused'))).body.health).toEqual({ consecutiveFailures: 0 });

    const nobody = await adminCall(stack, 'GET', '/v1/admin/subscribers/nobody/endpoint');
    expect(nobody.status).toBe(404);
  });
});

describe('support’s search and export of webhook subscribers', () => {
  it('finds them by their endpoint’s host, with where their updates go', async () => {
    const host = base.slice('http://'.length);
    const found = await adminCall(
      stack,
      'GET',
      `/v1/admin/subscribers?host=${encodeURIComponent(host)}&limit=100`,
    );
    expect(found.status).toBe(200);
    const items = found.body.items as Array<{ channel?: { host: string; endpoint: string } }>;
    expect(items).toHaveLength(Object.keys(answers).length); // the receiver's; the refused one is elsewhere
    expect(items.every((s) => s.channel?.host === host)).toBe(true);
    const none = await adminCall(stack, 'GET', '/v1/admin/subscribers?host=hooks.nowhere.example');
    expect(none.body.items).toEqual([]);
  });

  it('names their owner and channel, never their URL; a re-import leaves them out in words', async () => {
    const exported = await fetch(`${stack.apiUrl}/v1/admin/subscribers/export?limit=200`, {
      headers: { authorization: `Bearer ${LOCAL_DEFAULTS.ADMIN_API_KEY}` },
    });
    const csv = await exported.text();
    const webhookRows = csv.split('\n').filter((row) => row.endsWith(',webhook'));
    expect(webhookRows.length).toBeGreaterThanOrEqual(7);
    expect(csv).not.toContain('127.0.0.1');
    const reimport = await fetch(`${stack.apiUrl}/v1/admin/subscribers/import?dryRun=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${LOCAL_DEFAULTS.ADMIN_API_KEY}`, 'content-type': 'text/csv' },
      body: csv,
    });
    const report = (await reimport.json()) as { rejected: Array<{ error: string }> };
    expect(
      report.rejected.filter((r) => r.error.startsWith('a webhook is not imported from a file')),
    ).toHaveLength(webhookRows.length);
  });
});

describe('a webhook subscribed by its owner', () => {
  const ownerEmail = uniqueEmail('webhook-owner');
  let url: string;
  const subscribe = (body: unknown) =>
    fetch(`${stack.apiUrl}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('is refused in words when its URL may not be sent to', async () => {
    for (const bad of [
      'http://10.0.0.1/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://0x7f000001/hook',
    ]) {
      const refused = await subscribe({
        channel: { type: 'webhook', url: bad },
        ownerEmail,
        topics: [{ pageId: PAGE_ID }],
      });
      expect(refused.status, bad).toBe(400);
      expect(((await refused.json()) as any).error.details[0].path, bad).toBe('channel.url');
    }
  });

  it('proves control of the endpoint: a signed verification event, then its confirm link shows the secret once', {
    timeout: 60_000,
  }, async () => {
    url = `${base}/verify/${randomUUID()}`;
    const answer = await subscribe({
      channel: { type: 'webhook', url },
      ownerEmail,
      topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
    });
    expect(answer.status).toBe(202);
    const [verification, ...more] = received.get('verify') ?? [];
    expect(more).toEqual([]);
    const event = JSON.parse(verification?.body ?? '{}');
    expect(event).toMatchObject({ version: '1', type: 'verification', data: { page: { id: PAGE_ID } } });
    const [notice] = await mailTo([ownerEmail]);
    expect(notice?.subject).toBe('Confirm your status webhook from its verification event');

    // Nothing but the verification before it is confirmed.
    expect((await postWebhook(3)).status).toBe(202);
    await stack.waitForIdle(60_000);
    expect(received.get('verify')).toHaveLength(1);

    const confirmUrl = new URL(event.data.confirm_url);
    const page = await (await fetch(`${stack.apiUrl}${confirmUrl.pathname}${confirmUrl.search}`)).text();
    expect(page).toContain('Confirm subscription');
    const confirmed = await (
      await fetch(`${stack.apiUrl}${confirmUrl.pathname}${confirmUrl.search}`, { method: 'POST' })
    ).text();
    const secret = /<code class="secret">(whsec_[^<]+)<\/code>/.exec(confirmed)?.[1] ?? '';
    expect(secret).toMatch(/^whsec_/);
    expect(confirmed).toContain('will be POSTed to');
    const headers = Object.fromEntries(
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [
        h,
        String(verification?.headers[h]),
      ]),
    );
    expect(new Webhook(secret).verify(verification?.body ?? '', headers)).toMatchObject({
      type: 'verification',
    });
    // The link works once: the secret is not shown again.
    const again = await fetch(`${stack.apiUrl}${confirmUrl.pathname}${confirmUrl.search}`, {
      method: 'POST',
    });
    expect(await again.text()).not.toContain(secret);

    expect((await postWebhook(4)).status).toBe(202);
    await stack.waitForIdle(60_000);
    const [, update] = received.get('verify') ?? [];
    expect(JSON.parse(update?.body ?? '{}')).toMatchObject({
      type: 'incident.update',
      data: { update: { status: 'resolved' } },
    });

    // Asked again for the same endpoint: the same answer, its owner told, nothing POSTed.
    expect(
      (
        await subscribe({
          channel: { type: 'webhook', url },
          ownerEmail: uniqueEmail('other'),
          topics: [{ pageId: PAGE_ID }],
        })
      ).status,
    ).toBe(202);
    expect(received.get('verify')).toHaveLength(2);
    // Its owner was mailed minutes ago: not again so soon (a form cannot bomb an owner's inbox).
    expect(await mailTo([ownerEmail])).toHaveLength(1);
  });
});

describe('a webhook waiting for confirmation', () => {
  it('is not handed over by someone else asking for the same URL', async () => {
    const url = `${base}/claimed/${randomUUID()}`;
    const [first, second] = [uniqueEmail('first-owner'), uniqueEmail('second-owner')];
    const ask = (ownerEmail: string) =>
      fetch(`${stack.apiUrl}/v1/subscriptions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          channel: { type: 'webhook', url },
          ownerEmail,
          topics: [{ pageId: PAGE_ID }],
        }),
      });
    expect((await ask(first)).status).toBe(202);
    expect((await ask(second)).status).toBe(202); // the same answer
    expect(await mailTo([second])).toEqual([]);
    expect(received.get('claimed')).toHaveLength(1);
    const event = JSON.parse(received.get('claimed')?.[0]?.body ?? '{}');
    const confirmUrl = new URL(event.data.confirm_url);
    await fetch(`${stack.apiUrl}${confirmUrl.pathname}${confirmUrl.search}`, { method: 'POST' });
    const host = base.slice('http://'.length);
    const found = await adminCall(
      stack,
      'GET',
      `/v1/admin/subscribers?host=${encodeURIComponent(host)}&limit=100`,
    );
    const claimed = (found.body.items as Array<{ email: string; channel: { endpoint: string } }>).filter(
      (s) => s.channel.endpoint.includes('/claimed/'),
    );
    expect(claimed.map((s) => s.email)).toEqual([first]);
  });
});
