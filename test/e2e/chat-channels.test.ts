import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as AdaptiveCards from 'adaptivecards';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, type Seed, US_CHAT } from '../fixtures/seeds';
import { mailTo, uniqueEmail } from '../support/local-aws';
import { adminCall, startTestStack } from '../support/stack';

/*
 * Chat channels through the local stack: one subscriber of each platform follows Channel - Chat in
 * Prod1 (US), each on a local receiver standing in for its platform (CHANNELS_ALLOW_LOOPBACK), and one
 * of Slack and Discord whose webhook is gone.
 */

interface Received {
  url: string;
  body: Record<string, unknown>;
}
const received = new Map<string, Received[]>();
/** How each receiver answers, as its platform does. */
const ANSWERS: Record<string, { status: number; body: string }> = {
  slack: { status: 200, body: 'ok' },
  teams: { status: 202, body: '' },
  discord: { status: 204, body: '' },
  googlechat: { status: 200, body: '{}' },
  'slack-gone': { status: 404, body: 'channel_not_found' },
  'discord-gone': { status: 404, body: '{"message": "Unknown Webhook", "code": 10015}' },
  // A forum channel's webhook: a message must name a post, or open one (see forumAnswer).
  'discord-forum': { status: 204, body: '' },
};

/** As Discord answers for a forum: no post named, refused; a post opened, its message; in a post, taken. */
function forumAnswer(url: string, body: Record<string, unknown>) {
  const query = new URL(url, 'http://receiver').searchParams;
  if (query.get('thread_id')) return { status: 204, body: '' };
  if (body.thread_name && query.get('wait') === 'true')
    return { status: 200, body: JSON.stringify({ id: '9100000001', channel_id: '9000000001' }) };
  return {
    status: 400,
    body: '{"message": "Webhooks posted to forum channels must have a thread_name or thread_id", "code": 220001}',
  };
}

let stack: LocalStack;
let receiver: Server;
let base: string;
const seed: Seed = { ...chatMessagesMayFail, id: `c${randomUUID().slice(0, 10)}` };
const subscribers: Record<string, { id: string; ownerEmail: string }> = {};

beforeAll(async () => {
  stack = await startTestStack('chat');
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const name = (request.url ?? '/').split('/')[1] ?? '';
      const list = received.get(name) ?? [];
      const parsed = JSON.parse(body || '{}');
      list.push({ url: request.url ?? '', body: parsed });
      received.set(name, list);
      if (name === 'discord-forum') {
        const forum = forumAnswer(request.url ?? '/', parsed);
        return void response.writeHead(forum.status).end(forum.body);
      }
      const answer = ANSWERS[name] ??
        (name === 'verify' ? ANSWERS.discord : undefined) ?? { status: 404, body: '' };
      response.writeHead(answer.status).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  for (const name of Object.keys(ANSWERS)) {
    const ownerEmail = uniqueEmail('chat-owner');
    const created = await adminCall(stack, 'POST', '/v1/admin/subscribers', {
      channel: { type: name.split('-')[0], url: `${base}/${name}/hook/token-${name}` },
      ownerEmail,
      topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
      confirmed: true,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    subscribers[name] = { id: created.body.id as string, ownerEmail };
  }
});
afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  await stack?.stop();
});

const postWebhook = async (count: number, postmortem = false) => {
  const response = await fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(incidentWebhook(seed, count, { postmortem })),
  });
  expect(response.status).toBe(202);
  await stack.waitForIdle(60_000);
};

describe('chat channels', () => {
  it('get the seed incident’s updates and postmortem once each, in order, each in its platform’s shape', {
    timeout: 120_000,
  }, async () => {
    for (let count = 1; count <= 4; count++) await postWebhook(count);
    await postWebhook(4, true);

    const slack = received.get('slack') ?? [];
    expect(slack).toHaveLength(5);
    expect(slack.map((m) => (m.body.text as string).split(': ').at(-1))).toEqual([
      'Investigating',
      'Identified',
      'Monitoring',
      'Resolved',
      'Postmortem',
    ]);
    for (const message of slack)
      expect((message.body.blocks as Array<{ type: string }>)[0]?.type).toBe('header');

    const teams = received.get('teams') ?? [];
    expect(teams).toHaveLength(5);
    for (const message of teams) {
      const [attachment] = message.body.attachments as Array<{ content: unknown }>;
      const card = new AdaptiveCards.AdaptiveCard();
      const context = new AdaptiveCards.SerializationContext();
      card.parse(attachment?.content, context);
      expect(context.eventCount).toBe(0);
    }

    const discord = received.get('discord') ?? [];
    expect(discord).toHaveLength(5);
    for (const message of discord) {
      expect(message.body.allowed_mentions).toEqual({ parse: [] });
      expect((message.body.embeds as unknown[]).length).toBe(1);
    }

    // Google Chat: the five in one thread.
    const chat = received.get('googlechat') ?? [];
    expect(chat).toHaveLength(5);
    expect(new Set(chat.map((m) => (m.body.thread as { threadKey: string }).threadKey)).size).toBe(1);
    for (const message of chat)
      expect(message.url).toContain('messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
  });

  it('in a Discord forum, open a post per incident with its first update, the others in it', async () => {
    const forum = received.get('discord-forum') ?? [];
    // The first update: refused (no post named), then again opening the post, named after the incident.
    const [refused, opening, ...inPost] = forum;
    expect(refused?.body.thread_name).toBeUndefined();
    expect(opening?.url).toContain('wait=true');
    expect(opening?.body.thread_name).toMatch(/^\[CHAT\] \[Chat messages may fail/);
    expect(inPost).toHaveLength(4);
    for (const message of inPost) {
      expect(message.url).toContain('thread_id=9000000001');
      expect(message.body.thread_name).toBeUndefined();
    }
    const deliveries = (
      await adminCall(stack, 'GET', `/v1/admin/subscribers/${subscribers['discord-forum']?.id}/deliveries`)
    ).body.items as Array<{ status: string }>;
    expect(deliveries.map((d) => d.status)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
  });

  it('that are gone are quarantined at the first answer saying so, and their owners told once', {
    timeout: 60_000,
  }, async () => {
    for (const name of ['slack-gone', 'discord-gone']) {
      expect(received.get(name), name).toHaveLength(1);
      const endpoint = await adminCall(
        stack,
        'GET',
        `/v1/admin/subscribers/${subscribers[name]?.id}/endpoint`,
      );
      expect(endpoint.body.health.quarantinedAt, name).toEqual(expect.any(String));
      expect(endpoint.body.health.quarantineReason, name).toMatch(/webhook is gone: it answered 404/);
      const notices = (await mailTo([subscribers[name]?.ownerEmail ?? ''])).filter(
        (m) => m.subject === 'Your status webhook was paused',
      );
      expect(notices, name).toHaveLength(1);
    }
  });

  it('subscribed by their owner, are confirmed from a message in the channel with a Confirm link', {
    timeout: 60_000,
  }, async () => {
    const ownerEmail = uniqueEmail('chat-owner');
    const answer = await fetch(`${stack.apiUrl}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        channel: { type: 'discord', url: `${base}/verify/hook/${randomUUID()}` },
        ownerEmail,
        topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
      }),
    });
    expect(answer.status).toBe(202);
    const [message, ...more] = received.get('verify') ?? [];
    expect(more).toEqual([]);
    // In a forum, the notice opens a post of its own.
    const forum = await fetch(`${stack.apiUrl}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        channel: { type: 'discord', url: `${base}/discord-forum/verify/${randomUUID()}` },
        ownerEmail: uniqueEmail('forum-owner'),
        topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
      }),
    });
    expect(forum.status).toBe(202);
    const opened = (received.get('discord-forum') ?? []).at(-1);
    expect(opened?.body.thread_name).toBe('Confirm updates from Kustomer');
    expect(JSON.stringify(opened?.body)).toContain('/v1/confirm?token=');
    expect(message?.body.allowed_mentions).toEqual({ parse: [] });
    const [mail] = await mailTo([ownerEmail]);
    expect(mail?.subject).toBe('Confirm your Discord status updates from the message in the channel');
    const confirm = /\[Confirm\]\((http[^)]+)\)/.exec(JSON.stringify(message?.body))?.[1] ?? '';
    const confirmUrl = new URL(confirm);
    expect(confirmUrl.pathname).toBe('/v1/confirm');
    const confirmed = await fetch(`${stack.apiUrl}${confirmUrl.pathname}${confirmUrl.search}`, {
      method: 'POST',
    });
    expect(confirmed.status).toBe(200);
    const page = await confirmed.text();
    expect(page).toContain('will be posted in your Discord channel');
    expect(page).not.toContain('whsec_');
  });

  it('are exported by platform, never by URL, and a re-import leaves them out in words', async () => {
    const headers = { authorization: `Bearer ${LOCAL_DEFAULTS.ADMIN_API_KEY}` };
    const csv = await (
      await fetch(`${stack.apiUrl}/v1/admin/subscribers/export?limit=200`, { headers })
    ).text();
    const chatRows = csv.split('\n').filter((row) => /,(slack|teams|discord|googlechat)$/.test(row));
    expect(chatRows.length).toBeGreaterThanOrEqual(6);
    expect(csv).not.toContain('127.0.0.1');
    const reimport = await fetch(`${stack.apiUrl}/v1/admin/subscribers/import?dryRun=true`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/csv' },
      body: csv,
    });
    const report = (await reimport.json()) as { rejected: Array<{ error: string }> };
    expect(
      report.rejected.filter((r) => r.error.startsWith('a webhook is not imported from a file')),
    ).toHaveLength(chatRows.length);
  });

  it('are refused in words when the URL is another platform’s, or Teams’ retired connectors', async () => {
    const subscribe = (type: string, url: string) =>
      adminCall(stack, 'POST', '/v1/admin/subscribers', {
        channel: { type, url },
        ownerEmail: uniqueEmail('chat-owner'),
        topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
        confirmed: true,
      });
    const discordAsSlack = await subscribe('slack', 'https://discord.com/api/webhooks/123/abc');
    expect(discordAsSlack.status).toBe(400);
    expect(JSON.stringify(discordAsSlack.body)).toMatch(/looks like a Discord webhook, not a Slack one/);
    const connector = await subscribe('teams', 'https://example.webhook.office.com/webhookb2/abc');
    expect(connector.status).toBe(400);
    expect(JSON.stringify(connector.body)).toMatch(
      /Microsoft is retiring: in Teams, create a Workflows webhook/,
    );
    const unknown = await subscribe('googlechat', 'https://hooks.example.com/x');
    expect(JSON.stringify(unknown.body)).toMatch(/not a Google Chat incoming-webhook URL/);
    const slackAsWebhook = await subscribe('webhook', 'https://hooks.slack.com/services/T/B/X');
    expect(JSON.stringify(slackAsWebhook.body)).toMatch(/is a Slack incoming webhook/);
  });

  it('keep the page owner’s hostile text as text on every platform', { timeout: 60_000 }, async () => {
    const hostile =
      'Ping <!channel> <@U123> @everyone <users/all> <https://evil.example|innocent> [innocent](javascript:alert(1))';
    const payload = incidentWebhook({ ...seed, id: `h${randomUUID().slice(0, 10)}` }, 1);
    payload.incident.name = `Outage ${hostile}`;
    for (const update of payload.incident.incident_updates) update.body = hostile;
    const before = new Map([...received].map(([name, list]) => [name, list.length]));
    const response = await fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    expect(response.status).toBe(202);
    await stack.waitForIdle(60_000);
    const newest = (name: string) => (received.get(name) ?? []).slice(before.get(name) ?? 0);
    const [slack] = newest('slack');
    const slackText =
      JSON.stringify(slack?.body.text) + JSON.stringify((slack?.body.blocks as unknown[])?.slice(1));
    for (const markup of ['<!channel>', '<@U123>', '<https://evil.example|innocent>'])
      expect(slackText).not.toContain(markup);
    const [discord] = newest('discord');
    expect(discord?.body.allowed_mentions).toEqual({ parse: [] });
    // Its title reads no links; its description and fields would: there the owner's text is escaped.
    const [embed] = (discord?.body.embeds ?? []) as Array<{ description: string; fields: unknown[] }>;
    expect(JSON.stringify([embed?.description, embed?.fields])).not.toMatch(/[^\\]\[innocent\]\(/);
    const [teams] = newest('teams');
    expect(JSON.stringify(teams?.body)).not.toMatch(/\[innocent\]\(/);
    const [chat] = newest('googlechat');
    expect(JSON.stringify(chat?.body)).not.toContain('<users/all>');
  });
});
