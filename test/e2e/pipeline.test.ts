import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION, localCredentials } from '../../infra/local/aws-local';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import {
  chatMessagesMayFail,
  EU_CHAT,
  incidentWebhook,
  lifecycle,
  notAllowingMessages,
  PAGE_ID,
  type Seed,
  US_CHAT,
} from '../fixtures/seeds';
import { seedFollowers } from '../support/followers';
import { header, isAbout, mailTo, type StoredMail, uniqueEmail } from '../support/local-aws';
import { adminHeaders, startTestStack } from '../support/stack';

// The whole system through its HTTP API and streams, as `npm start` runs it.
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack('e2e');
});
afterAll(async () => {
  await stack?.stop();
});

async function api(
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
) {
  const response = await fetch(`${stack.apiUrl}${path}`, { method, ...init });
  return { status: response.status, body: (await response.json()) as any };
}

const webhook = (payload: unknown, token: string = LOCAL_DEFAULTS.WEBHOOK_TOKEN) =>
  api('POST', `/v1/webhooks/statuspage/${token}`, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });

async function subscribe(
  label: string,
  topics: Array<{ groupId?: string; componentId?: string }>,
  confirmed = true,
) {
  const response = await api('POST', '/v1/admin/subscribers', {
    headers: adminHeaders,
    body: JSON.stringify({
      email: uniqueEmail(label),
      topics: topics.map((t) => ({ pageId: PAGE_ID, ...t })),
      confirmed,
    }),
  });
  expect(response.status).toBe(201);
  return response.body as { id: string; email: string };
}

const fresh = (seed: Seed): Seed => ({ ...seed, id: `${seed.id.slice(0, 6)}${randomUUID().slice(0, 6)}` });

function expectOneThread(mails: StoredMail[]) {
  const [first, ...rest] = mails;
  const root = header(first!, 'References')!;
  expect(header(first!, 'In-Reply-To')).toBe(root);
  for (const mail of rest) {
    expect(mail.subject).toBe(first!.subject);
    expect(header(mail, 'References')).toBe(`${root} <${first!.messageId}@email.amazonses.com>`);
  }
  return { subject: first!.subject, root };
}

describe('the update pipeline, end to end', () => {
  it('replays both seed incidents to exactly the matching subscribers, once per update, threaded', async () => {
    const usChat = await subscribe('us-chat', [{ componentId: US_CHAT }]);
    const usRegion = await subscribe('us-region', [{ groupId: 'grp1produs01' }]);
    const wholePage = await subscribe('page', [{}]);
    const euChat = await subscribe('eu-chat', [{ componentId: EU_CHAT }]);
    const pending = await subscribe('pending', [{ componentId: US_CHAT }], false);
    const [first, second] = [fresh(chatMessagesMayFail), fresh(notAllowingMessages)];

    for (const payload of [...lifecycle(first), ...lifecycle(second)]) {
      expect((await webhook(payload)).status).toBe(202);
      await stack.waitForIdle();
    }

    expect(await mailTo([euChat.email])).toEqual([]);
    expect((await mailTo([pending.email])).map((m) => m.subject)).toEqual([
      'Confirm your status update subscription',
    ]);
    const threads = [];
    for (const subscriber of [usChat, usRegion, wholePage]) {
      const mails = await mailTo([subscriber.email]);
      expect(mails).toHaveLength(10); // 4 updates + the postmortem, for each of the two incidents
      const ofFirst = mails.filter((m) => isAbout(m, `statuspage:${PAGE_ID}:${first.id}`));
      const ofSecond = mails.filter((m) => isAbout(m, `statuspage:${PAGE_ID}:${second.id}`));
      expect([ofFirst.length, ofSecond.length]).toEqual([5, 5]);
      const a = expectOneThread(ofFirst);
      const b = expectOneThread(ofSecond);
      expect(a.root).not.toBe(b.root);
      expect(ofFirst.at(-1)!.body.text).toContain('Root Cause');
      threads.push(a.root);
    }
    expect(new Set(threads).size).toBe(1); // the root id is per incident, not per recipient

    // Statuspage retries and replays: ten at once, all of them again. Nothing new is stored or sent.
    const replays = await Promise.all(
      Array.from({ length: 10 }, () => webhook(incidentWebhook(first, 4, { postmortem: true }))),
    );
    expect(replays.every((r) => r.status === 202 && r.body.storedUpdates.length === 0)).toBe(true);
    for (const payload of lifecycle(second)) await webhook(payload);
    await stack.waitForIdle();
    expect(await mailTo([usChat.email, usRegion.email, wholePage.email])).toHaveLength(30);
  });

  it("keeps each person's order across updates sent back to back by parallel senders, each replying to the first", async () => {
    const seed = fresh(chatMessagesMayFail);
    const db = createDocumentClient(
      new DynamoDBClient({
        endpoint: stack.dynamodbEndpoint,
        region: LOCAL_REGION,
        credentials: localCredentials,
      }),
    );
    // Four bulk calls an update: parallel senders take batches of one update, and of the next, at once.
    const followers = await seedFollowers(db, stack.tables.subscribers, {
      pageId: PAGE_ID,
      componentId: US_CHAT,
      count: 180,
      label: `order-${seed.id}`,
    });
    for (let count = 1; count <= seed.updates.length; count++)
      expect((await webhook(incidentWebhook(seed, count))).status).toBe(202);
    await stack.waitForIdle(60_000);

    const updateIn = (mail: StoredMail) =>
      seed.updates.findLastIndex((update) => mail.body.text.includes(update.body.slice(0, 80)));
    const mails = await mailTo(followers.map((f) => f.email));
    for (const follower of followers) {
      const theirs = mails.filter((m) => m.destination.to.includes(follower.email));
      expect(theirs.map(updateIn)).toEqual(seed.updates.map((_, index) => index));
      for (const later of theirs.slice(1))
        expect(header(later, 'In-Reply-To')).toBe(`<${theirs[0]!.messageId}@email.amazonses.com>`);
    }
  });

  it('notifies once for the newest update when webhooks were missed, with the others in its timeline', async () => {
    const subscriber = await subscribe('missed', [{ componentId: US_CHAT }]);
    const seed = fresh(chatMessagesMayFail);
    const response = await webhook(incidentWebhook(seed, 3));
    expect(response.body).toMatchObject({
      storedUpdates: seed.updates.slice(0, 3).map((u) => u.id),
      notifying: [seed.updates[2]!.id],
    });
    await stack.waitForIdle();
    const [mail, ...others] = await mailTo([subscriber.email]);
    expect(others).toEqual([]);
    expect(mail!.body.text).toMatch(/Monitoring[\s\S]*Identified[\s\S]*Investigating/);
  });

  it('stores an update with notifications turned off and sends nothing for it', async () => {
    const subscriber = await subscribe('quiet', [{ componentId: US_CHAT }]);
    const payload = incidentWebhook(fresh(chatMessagesMayFail), 1);
    payload.incident.incident_updates[0]!.deliver_notifications = false;
    expect((await webhook(payload)).body).toMatchObject({ notifying: [] });
    await stack.waitForIdle();
    expect(await mailTo([subscriber.email])).toEqual([]);
  });

  it('answers a bad payload with a 400 naming the field, and writes nothing', async () => {
    const seed = fresh(chatMessagesMayFail);
    const payload = incidentWebhook(seed, 1) as any;
    payload.incident.incident_updates = 'not a list';
    const response = await webhook(payload);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'VALIDATION' });
    expect(response.body.error.details).toContainEqual(
      expect.objectContaining({ path: 'body.incident.incident_updates' }),
    );
    expect(await incidentItems(`statuspage:${PAGE_ID}:${seed.id}`)).toBe(0);

    const notJson = await fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"incident": ',
    });
    expect(notJson.status).toBe(400);
  });

  it('refuses a wrong webhook token and a missing admin key', async () => {
    const seed = fresh(chatMessagesMayFail);
    expect((await webhook(incidentWebhook(seed, 1), 'wrong-token-guess')).status).toBe(404);
    expect(await incidentItems(`statuspage:${PAGE_ID}:${seed.id}`)).toBe(0);
    const noKey = await api('GET', '/v1/admin/subscribers?email=a@example.com');
    expect(noKey.status).toBe(401);
  });

  it('keeps the catalog current from component webhooks and serves it', async () => {
    const payload = JSON.parse(
      readFileSync(new URL('../fixtures/component-webhook.json', import.meta.url), 'utf8'),
    );
    payload.component.id = 'cmpsms000001';
    payload.component.name = 'Channel - SMS';
    payload.component_update.component_id = 'cmpsms000001';
    expect((await webhook(payload)).status).toBe(202);
    const catalog = await api('GET', '/v1/catalog');
    const us = catalog.body.pages[0].regions.find((r: { name: string }) => r.name === 'Prod1 (US)');
    expect(us.components.map((c: { name: string }) => c.name)).toEqual([
      'Channel - Chat',
      'Channel - Email',
      'Channel - SMS',
    ]);
  });

  it('finds a subscriber by address and refuses topics the catalog does not know', async () => {
    const subscriber = await subscribe('find', [{ componentId: US_CHAT }]);
    const found = await api(
      'GET',
      `/v1/admin/subscribers?email=${encodeURIComponent(subscriber.email.toUpperCase())}`,
      {
        headers: adminHeaders,
      },
    );
    expect(found.body.items).toEqual([expect.objectContaining({ id: subscriber.id, status: 'confirmed' })]);
    const unknown = await api('POST', '/v1/admin/subscribers', {
      headers: adminHeaders,
      body: JSON.stringify({ email: uniqueEmail('x'), topics: [{ pageId: PAGE_ID, componentId: 'nope' }] }),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([
      { path: 'topics.0', message: `unknown component nope on page ${PAGE_ID}` },
    ]);
  });

  it('takes incidents from in-house tooling through the generic API, with the same guarantees', async () => {
    const subscriber = await subscribe('generic', [{ componentId: US_CHAT }]);
    const key = await api('POST', '/v1/admin/keys', {
      headers: adminHeaders,
      body: JSON.stringify({ name: 'incident-bot', scopes: ['write'] }),
    });
    const reader = await api('POST', '/v1/admin/keys', {
      headers: adminHeaders,
      body: JSON.stringify({ name: 'reader', scopes: ['read'] }),
    });
    const bot = { authorization: `Bearer ${key.body.key}`, 'content-type': 'application/json' };
    const id = `INC-${randomUUID().slice(0, 6)}`;
    const update = (n: number, notify = true) => ({
      id: `${id}-u${n}`,
      status: n === 3 ? 'resolved' : 'investigating',
      body: `Update ${n}`,
      at: `2025-08-06T14:1${n}:00Z`,
      notify,
    });
    const incident = (updates: object[]) =>
      JSON.stringify({
        pageId: PAGE_ID,
        incident: {
          id,
          name: 'Chat replies delayed',
          status: 'investigating',
          impact: 'minor',
          createdAt: '2025-08-06T14:10:00Z',
          componentIds: [US_CHAT],
          updates,
        },
      });

    const first = await api('POST', '/v1/incidents', { headers: bot, body: incident([update(1)]) });
    expect(first).toMatchObject({
      status: 202,
      body: { incidentId: `api:${PAGE_ID}:${id}`, notifying: [`${id}-u1`] },
    });
    expect(
      (await api('POST', '/v1/incidents', { headers: bot, body: incident([update(1)]) })).body.storedUpdates,
    ).toEqual([]);
    await api('POST', '/v1/incidents', { headers: bot, body: incident([update(1), update(2, false)]) });
    await api('POST', '/v1/incidents', {
      headers: bot,
      body: incident([update(1), update(2, false), update(3)]),
    });
    await stack.waitForIdle();
    const mails = await mailTo([subscriber.email]);
    expect(mails.map((m) => m.body.text.match(/Update \d/)?.[0])).toEqual(['Update 1', 'Update 3']);
    expectOneThread(mails);

    const unknown = await api('POST', '/v1/incidents', {
      headers: bot,
      body: incident([{ ...update(1), componentIds: ['nope'] }]),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([
      { path: 'incident.updates.0.componentIds.0', message: 'unknown component nope' },
    ]);
    expect(
      (
        await api('POST', '/v1/incidents', {
          headers: { 'content-type': 'application/json' },
          body: incident([update(1)]),
        })
      ).status,
    ).toBe(401);
    const readOnly = { authorization: `Bearer ${reader.body.key}`, 'content-type': 'application/json' };
    expect(
      (await api('POST', '/v1/incidents', { headers: readOnly, body: incident([update(1)]) })).status,
    ).toBe(403);
  });

  it('answers health once everything is up', async () => {
    expect(await api('GET', '/v1/health')).toEqual({ status: 200, body: { status: 'ok' } });
  });
});

async function incidentItems(incidentId: string): Promise<number> {
  const client = new DynamoDBClient({
    endpoint: stack.dynamodbEndpoint,
    region: LOCAL_REGION,
    credentials: localCredentials,
  });
  const { Count = 0 } = await client.send(
    new QueryCommand({
      TableName: stack.tables.incidents,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: incidentId } },
    }),
  );
  client.destroy();
  return Count;
}
