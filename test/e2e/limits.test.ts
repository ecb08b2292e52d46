import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, type Seed } from '../fixtures/seeds';
import { adminCall, startTestStack } from '../support/stack';

// Webhooks larger than any real incident: a 400 naming the field and its limit, and nothing stored.
// At the limits, in the widest characters UTF-8 has, everything still fits one DynamoDB item.
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack('lim');
});
afterAll(async () => {
  await stack?.stop();
});

const seed = (): Seed => ({ ...chatMessagesMayFail, id: `l${randomUUID().slice(0, 10)}` });

async function postWebhook(body: unknown) {
  const response = await fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const stored = async (incident: Seed) =>
  (await adminCall(stack, 'GET', `/v1/admin/incidents/statuspage:${PAGE_ID}:${incident.id}`)).status;

describe('webhook limits', () => {
  it.each([
    [
      'an incident name of 2 MB',
      'body.incident.name',
      (w: any) => {
        w.incident.name = 'x'.repeat(2_000_000);
      },
    ],
    [
      'an update body of 450 KB',
      'body.incident.incident_updates.0.body',
      (w: any) => {
        w.incident.incident_updates[0].body = 'y'.repeat(450_000);
      },
    ],
    [
      '10,000 updates',
      'body.incident.incident_updates',
      (w: any) => {
        const [first] = w.incident.incident_updates;
        w.incident.incident_updates = Array.from({ length: 10_000 }, (_, i) => ({ ...first, id: `u${i}` }));
      },
    ],
    [
      'a postmortem of 1 MB',
      'body.incident.postmortem_body',
      (w: any) => {
        w.incident.postmortem_body = 'z'.repeat(1_000_000);
      },
    ],
  ])('refuses %s with a 400 naming %s, and stores nothing', async (_, path, enlarge) => {
    const incident = seed();
    const webhook = incidentWebhook(incident, 1);
    enlarge(webhook);
    const answer = await postWebhook(webhook);
    expect(answer.status).toBe(400);
    expect(answer.body.error.details).toEqual([{ path, message: expect.stringMatching(/^at most [\d,]+ /) }]);
    expect(await stored(incident)).toBe(404);
  });

  it('stores an incident at every limit, written in four-byte characters', async () => {
    const incident = seed();
    const webhook: any = incidentWebhook(incident, 1);
    const wide = (count: number) => '😀'.repeat(count); // 4 bytes each in UTF-8
    webhook.incident.name = wide(1_000);
    webhook.incident.postmortem_body = wide(60_000);
    webhook.incident.incident_updates[0].body = wide(60_000);
    const componentId = (i: number) => `c${String(i).padStart(99, '0')}`; // 100 characters
    webhook.incident.components = Array.from({ length: 1_000 }, (_, i) => ({
      id: componentId(i),
      name: 'x',
    }));
    webhook.incident.incident_updates[0].affected_components = Array.from({ length: 1_000 }, (_, i) => ({
      code: componentId(i),
    }));
    const answer = await postWebhook(webhook);
    expect(answer.status).toBe(202);
    expect(await stored(incident)).toBe(200);
  });
});

describe('generic incident API limits', () => {
  it('refuses a postmortem that would not fit one DynamoDB item, naming its limit', async () => {
    const answer = await adminCall(stack, 'POST', '/v1/incidents', {
      pageId: PAGE_ID,
      incident: {
        id: `g${randomUUID().slice(0, 8)}`,
        name: 'Chat delayed',
        status: 'resolved',
        createdAt: '2026-11-23T10:00:00Z',
        updates: [{ id: 'u1', status: 'resolved', body: 'Fixed.', at: '2026-11-23T11:00:00Z' }],
        postmortem: { body: '😀'.repeat(100_000), publishedAt: '2026-11-24T10:00:00Z' },
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.details[0].path).toBe('body.incident.postmortem.body');
  });
});
