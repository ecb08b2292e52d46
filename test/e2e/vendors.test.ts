import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import betterStackComponent from '../fixtures/betterstack/component.json';
import betterStackIncident from '../fixtures/betterstack/incident.json';
import betterStackMaintenance from '../fixtures/betterstack/maintenance.json';
import instatusIncident from '../fixtures/instatus/incident.json';
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

const post = async (vendor: string, payload: unknown, token: string = LOCAL_DEFAULTS.WEBHOOK_TOKEN) => {
  const response = await fetch(`${stack.apiUrl}/v1/webhooks/${vendor}/${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
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
