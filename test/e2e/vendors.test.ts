import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION, localCredentials } from '../../infra/local/aws-local';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import { DynamoCatalog } from '../../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import betterStackComponent from '../fixtures/betterstack/component.json';
import betterStackIncident from '../fixtures/betterstack/incident.json';
import betterStackMaintenance from '../fixtures/betterstack/maintenance.json';
import betterStackResources from '../fixtures/betterstack/resources.json';
import betterStackSections from '../fixtures/betterstack/sections.json';
import instatusComponents from '../fixtures/instatus/components.json';
import instatusIncident from '../fixtures/instatus/incident.json';
import instatusRealComponent from '../fixtures/instatus/real-component.json';
import instatusRealIncident from '../fixtures/instatus/real-incident.json';
import instatusRealMaintenance from '../fixtures/instatus/real-maintenance.json';
import { header, isAbout, mailTo, uniqueEmail } from '../support/local-aws';
import { adminCall, startTestStack } from '../support/stack';

// Instatus and Better Stack webhooks, from their documented shapes, through the local stack.
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack('vendors');
});
afterAll(async () => {
  await stack?.stop();
});

const post = async (
  vendor: string,
  payload: unknown,
  token: string = LOCAL_DEFAULTS.WEBHOOK_TOKEN,
  headers: Record<string, string> = {},
) => {
  const response = await fetch(`${stack.apiUrl}/v1/webhooks/${vendor}/${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  });
  return { status: response.status, body: (await response.json()) as any };
};

/** A page of the vendor's in the catalog, with one follower of the whole page. */
async function pageWithFollower(name: string) {
  const pageId = `p${randomUUID().slice(0, 8)}`;
  const imported = await adminCall(stack, 'PUT', `/v1/admin/pages/${pageId}/components`, {
    page: { id: pageId, name, url: 'https://status.example.com', time_zone: 'Europe/Berlin' },
    components: [{ id: `${pageId}db`, name: 'Database', status: 'operational', group_id: null }],
  });
  expect(imported.status).toBe(200);
  const email = uniqueEmail(name.toLowerCase());
  const created = await adminCall(stack, 'POST', '/v1/admin/subscribers', {
    email,
    confirmed: true,
    topics: [{ pageId }],
  });
  expect(created.status).toBe(201);
  return { pageId, email };
}

const onPage = <T extends { page: object }>(fixture: T, pageId: string): any => ({
  ...structuredClone(fixture),
  page: { ...fixture.page, id: pageId },
});

describe('Instatus webhooks', () => {
  it('notify the page’s followers once per update, in one thread, in Statuspage’s words', async () => {
    const { pageId, email } = await pageWithFollower('Acme');
    const incident = onPage(instatusIncident, pageId);
    incident.incident.id = `i${randomUUID().slice(0, 8)}`;
    const first = await post('instatus', incident);
    expect(first).toMatchObject({ status: 202, body: { kind: 'incident', notifying: [expect.any(String)] } });
    expect((await post('instatus', incident)).body.storedUpdates).toEqual([]);

    const resolved = structuredClone(incident);
    resolved.incident.status = 'RESOLVED';
    resolved.incident.incident_updates.unshift({
      id: `r${randomUUID().slice(0, 8)}`,
      incident_id: incident.incident.id,
      body: 'The queue has drained. All messages were delivered.',
      status: 'RESOLVED',
      created_at: '2025-08-06T14:54:00.000Z',
      updated_at: '2025-08-06T14:54:00.000Z',
      an_instatus_field_we_do_not_know: { nested: true },
    });
    expect((await post('instatus', resolved)).body.notifying).toHaveLength(1);
    await stack.waitForIdle();

    const mails = await mailTo([email]);
    expect(mails.map((m) => m.subject)).toEqual(Array(2).fill('[Acme] Chat messages may fail to deliver'));
    expect(mails.every((m) => isAbout(m, first.body.incidentId))).toBe(true);
    expect(mails[0]!.body.text).toContain('Identified · Major impact');
    expect(mails[1]!.body.text).toMatch(
      /Resolved[\s\S]*Earlier updates[\s\S]*Identified[\s\S]*Investigating/,
    );
    expect(header(mails[1]!, 'In-Reply-To')).toBe(`<${mails[0]!.messageId}@email.amazonses.com>`);
  });

  it('answer 404 to a wrong token and 400 naming the field to a payload that cannot be an incident', async () => {
    expect((await post('instatus', instatusIncident, 'not-the-token')).status).toBe(404);
    const broken = structuredClone(instatusIncident) as any;
    broken.incident.incident_updates[0].created_at = 'yesterday';
    const refused = await post('instatus', broken);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('incident.incident_updates.0.created_at');
  });
});

describe('Better Stack webhooks', () => {
  it('notify a maintenance with its window, and acknowledge components and unknown event types', async () => {
    const { pageId, email } = await pageWithFollower('Globex');
    const maintenance = onPage(betterStackMaintenance, pageId);
    maintenance.maintenance.id = String(Date.now());
    expect((await post('betterstack', maintenance)).status).toBe(202);
    expect((await post('betterstack', onPage(betterStackComponent, pageId))).body).toEqual({
      kind: 'component',
      componentId: '771034',
    });
    expect(
      (await post('betterstack', { ...onPage(betterStackIncident, pageId), event_type: 'monitor' })).body,
    ).toEqual({ kind: 'ignored', reason: 'event_type "monitor" notifies nobody' });
    await stack.waitForIdle();

    const [mail, ...others] = await mailTo([email]);
    expect(others).toEqual([]);
    expect(mail!.subject).toBe('[Globex] Scheduled maintenance: Database upgrade');
    expect(mail!.body.text).toContain('Maintenance window: 2025-09-02 22:00 UTC');
    expect(mail!.body.text).toContain('Scheduled maintenance');
  });

  it('refuse a maintenance without a valid window start, naming Better Stack’s field', async () => {
    const broken = structuredClone(betterStackMaintenance) as any;
    broken.maintenance.starts_at = 'next Tuesday';
    const refused = await post('betterstack', broken);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('maintenance.starts_at');
  });
});

/** One confirmed subscriber per topic of `pageId`, by label: `{ label: email }`. */
async function followers(pageId: string, topics: Record<string, { groupId?: string; componentId?: string }>) {
  const emails: Record<string, string> = {};
  for (const [label, topic] of Object.entries(topics)) {
    emails[label] = uniqueEmail(label.toLowerCase());
    const created = await adminCall(stack, 'POST', '/v1/admin/subscribers', {
      email: emails[label],
      confirmed: true,
      topics: [{ pageId, ...topic }],
    });
    expect(created.status).toBe(201);
  }
  return emails;
}

/** Who got how many mails, by label. */
async function mailCounts(emails: Record<string, string>) {
  const counts: Record<string, number> = {};
  for (const [label, email] of Object.entries(emails)) counts[label] = (await mailTo([email])).length;
  return counts;
}

describe('Instatus as it really sends (Title case, markdown, affected components, dated maintenance)', () => {
  const [usRegion, chatUs, emailUs, euRegion, chatEu] = instatusComponents.map((c) => c.id);
  let pageId: string;
  let emails: Record<string, string>;

  beforeAll(async () => {
    pageId = `i${randomUUID().slice(0, 8)}`;
    // The page's components as Instatus's own API lists them, so the ids match its webhooks'.
    const imported = await adminCall(stack, 'PUT', `/v1/admin/pages/${pageId}/components`, {
      page: { name: 'Kustomer', time_zone: 'America/New_York' },
      components: instatusComponents,
    });
    expect(imported.body).toEqual({ pageId, vendor: 'instatus', regions: 2, components: 5 });
    emails = await followers(pageId, {
      chatUs: { componentId: chatUs },
      usRegion: { groupId: usRegion },
      wholePage: {},
      emailUs: { componentId: emailUs },
      chatEu: { componentId: chatEu },
      euRegion: { groupId: euRegion },
    });
  });

  it('mails each update once to the followers of the affected component, its region and the page, and nobody else', async () => {
    const full = onPage(instatusRealIncident, pageId);
    full.incident.id = `c${randomUUID().replaceAll('-', '').slice(0, 24)}`;
    const oldestFirst = [...full.incident.incident_updates].reverse();
    const incidentIds = new Set<string>();
    for (let n = 1; n <= oldestFirst.length; n++) {
      // Each webhook carries the whole incident so far, newest first, and is delivered twice.
      const payload = structuredClone(full);
      payload.incident.incident_updates = oldestFirst.slice(0, n).reverse();
      payload.incident.status = oldestFirst[n - 1].status;
      const first = await post('instatus', payload);
      expect(first).toMatchObject({
        status: 202,
        body: { kind: 'incident', notifying: [oldestFirst[n - 1].id] },
      });
      expect(first.body.unknownComponents).toBeUndefined();
      expect((await post('instatus', payload)).body.storedUpdates).toEqual([]);
      incidentIds.add(first.body.incidentId);
    }
    await stack.waitForIdle();

    expect(await mailCounts(emails)).toEqual({
      chatUs: 4,
      usRegion: 4,
      wholePage: 4,
      emailUs: 0,
      chatEu: 0,
      euRegion: 0,
    });
    const mails = await mailTo([emails.chatUs!]);
    expect(mails.map((m) => m.subject)).toEqual(
      Array(4).fill('[Kustomer] Chat messages may fail to deliver'),
    );
    expect(mails.every((m) => isAbout(m, [...incidentIds][0]!))).toBe(true);
    const [investigating, , monitoring, resolved] = mails.map((m) => m.body.text);
    expect(investigating).toContain('Investigating · Major impact');
    expect(investigating).toContain('affecting Chat that may cause outbound chat messages');
    expect(investigating).toContain('Kustomer Support (https://support.kustomer.example/contact)');
    expect(investigating).toMatch(/Prod1 \(US\)[\s\S]*Channel - Chat/);
    expect(monitoring).toContain('  - Chats sent during the event are being processed');
    expect(resolved).toMatch(
      /Resolved[\s\S]*Earlier updates[\s\S]*Monitoring[\s\S]*Identified[\s\S]*Investigating/,
    );
    expect(mails[0]!.body.html).toContain('<strong>Chat</strong>');
  });

  it('mails a planned maintenance with its window to the followers of what it affects', async () => {
    const maintenance = onPage(instatusRealMaintenance, pageId);
    expect((await post('instatus', maintenance)).status).toBe(202);
    await stack.waitForIdle();
    const [mail, ...others] = await mailTo([emails.emailUs!]);
    expect(others).toEqual([]);
    expect(mail!.subject).toBe('[Kustomer] Scheduled maintenance: Database upgrade');
    expect(mail!.body.text).toContain('Maintenance window: 2025-09-02 22:00 UTC');
    expect(mail!.body.text).toContain('We will upgrade the primary database of Prod1 (US).');
    expect((await mailTo([emails.chatUs!])).filter((m) => m.subject.includes('maintenance'))).toEqual([]);
    expect((await mailTo([emails.usRegion!])).filter((m) => m.subject.includes('maintenance'))).toHaveLength(
      1,
    );
  });

  it('reports a component the catalog does not know, and mails only the whole page’s followers', async () => {
    const before = await mailCounts(emails);
    const payload = onPage(instatusRealIncident, pageId);
    payload.incident.id = `c${randomUUID().replaceAll('-', '').slice(0, 24)}`;
    payload.incident.name = 'Voice calls drop';
    payload.incident.affected_components = [
      { id: 'cl0notinthecatalog0000001', name: 'Voice', status: 'Partial outage' },
    ];
    const answer = await post('instatus', payload);
    expect(answer.body.unknownComponents).toEqual(['cl0notinthecatalog0000001']);
    await stack.waitForIdle();
    const after = await mailCounts(emails);
    expect(Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]))).toEqual({
      chatUs: 0,
      usRegion: 0,
      wholePage: 1,
      emailUs: 0,
      chatEu: 0,
      euRegion: 0,
    });
  });

  it('keeps taking component webhooks and stores the component’s status', async () => {
    const answer = await post('instatus', onPage(instatusRealComponent, pageId));
    expect(answer).toEqual({ status: 202, body: { kind: 'component', componentId: chatUs } });
    const client = new DynamoDBClient({
      endpoint: stack.dynamodbEndpoint,
      region: LOCAL_REGION,
      credentials: localCredentials,
    });
    const catalog = await new DynamoCatalog(createDocumentClient(client), stack.tables.catalog).getPage(
      pageId,
    );
    expect(catalog.components.find((c) => c.componentId === chatUs)).toMatchObject({
      groupId: usRegion,
      status: 'major_outage',
    });
  });
});

describe('Better Stack, read as leniently', () => {
  it('takes its resources and sections as the catalog, the event type from its header, and mails only the affected', async () => {
    const pageId = `b${randomUUID().slice(0, 8)}`;
    const imported = await adminCall(stack, 'PUT', `/v1/admin/pages/${pageId}/components`, {
      page: { name: 'Globex' },
      resources: betterStackResources,
      sections: betterStackSections,
    });
    expect(imported.body).toMatchObject({ vendor: 'betterstack', regions: 2, components: 4 });
    const emails = await followers(pageId, {
      chatUs: { componentId: '8812301' },
      usRegion: { groupId: '456701' },
      chatEu: { componentId: '8812303' },
      billing: { componentId: '8812304' },
    });
    const incident = onPage(betterStackIncident, pageId);
    delete incident.event_type; // named by the X-BetterUptime-Event header alone
    incident.incident.id = String(Date.now());
    incident.incident.affected_components = [{ id: 8812301, name: 'Channel - Chat', status: 'Degraded' }];
    incident.incident.incident_updates[0].status = 'IDENTIFIED';
    const answer = await post('betterstack', incident, undefined, { 'x-betteruptime-event': 'incident' });
    expect(answer).toMatchObject({ status: 202, body: { kind: 'incident' } });
    await stack.waitForIdle();
    expect(await mailCounts(emails)).toEqual({ chatUs: 1, usRegion: 1, chatEu: 0, billing: 0 });
    const [mail] = await mailTo([emails.chatUs!]);
    expect(mail!.body.text).toContain('Identified · Minor impact');
  });
});
