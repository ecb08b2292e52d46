import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import {
  chatMessagesMayFail,
  EU_CHAT,
  incidentWebhook,
  PAGE_ID,
  type Seed,
  US_CHAT,
} from '../fixtures/seeds';
import { header, isAbout, mailTo, uniqueEmail } from '../support/local-aws';
import { adminCall, startTestStack, subscriberByEmail } from '../support/stack';

// Following one incident, through the local stack: double opt-in, one thread, the follow's end.
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack('follow');
});
afterAll(async () => {
  await stack?.stop();
});

async function call(
  method: string,
  path: string,
  init: { body?: string; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${stack.apiUrl}${path}`, { method, redirect: 'manual', ...init });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('json');
  return { status: response.status, body: json ? JSON.parse(text) : text };
}

const followApi = (incidentId: string, email: string) =>
  call('POST', `/v1/incidents/${encodeURIComponent(incidentId)}/followers`, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });

async function webhook(payload: unknown) {
  const response = await call('POST', `/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  expect(response.status).toBe(202);
  await stack.waitForIdle();
}

/** Presses the confirmation button of the newest mail to `email`. */
async function confirm(email: string) {
  const text = (await mailTo([email])).at(-1)?.body.text ?? '';
  const link = /https?:\/\/\S+\/v1\/confirm\?token=\S+/.exec(text)?.[0] ?? '';
  expect(text).toContain('the incident “');
  expect((await call('POST', link.replace(/^https?:\/\/[^/]+/, ''))).status).toBe(200);
}

describe('following one incident', () => {
  it('mails its followers each update in everyone’s thread until it is over, after they confirm', async () => {
    const seed: Seed = { ...chatMessagesMayFail, id: `f${randomUUID().slice(0, 10)}` };
    const incidentId = `statuspage:${PAGE_ID}:${seed.id}`;
    const component = uniqueEmail('component');
    await adminCall(stack, 'POST', '/v1/admin/subscribers', {
      email: component,
      confirmed: true,
      topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
    });
    // A confirmed subscriber of the other region, at level major: following the incident brings it all.
    const other = uniqueEmail('other-region');
    await adminCall(stack, 'POST', '/v1/admin/subscribers', {
      email: other,
      confirmed: true,
      level: 'major',
      topics: [{ pageId: PAGE_ID, componentId: EU_CHAT }],
    });
    await webhook(incidentWebhook(seed, 1));

    // The subscribe page offers it while it is open; its own page has the form.
    const subscribePage = await call('GET', `/subscribe?page=${PAGE_ID}`);
    expect(subscribePage.body).toContain(`/follow?incident=${encodeURIComponent(incidentId)}`);
    const followPage = await call('GET', `/follow?incident=${encodeURIComponent(incidentId)}`);
    expect(followPage.status).toBe(200);
    expect(followPage.body).toContain('Follow this incident');

    const stranger = uniqueEmail('stranger');
    expect((await followApi(incidentId, stranger)).status).toBe(202);
    const form = await call('POST', '/follow', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ incident: incidentId, email: other }).toString(),
    });
    expect(form.status).toBe(200);
    expect(form.body).toContain('Check your inbox');
    // Nothing until they confirm.
    await webhook(incidentWebhook(seed, 2));
    expect((await mailTo([stranger, other])).filter((m) => isAbout(m, incidentId))).toEqual([]);
    await confirm(stranger);
    await confirm(other);
    expect((await subscriberByEmail(stack, other))?.status).toBe('confirmed');

    await webhook(incidentWebhook(seed, 3));
    await webhook(incidentWebhook(seed, 4));
    await webhook(incidentWebhook(seed, 4, { postmortem: true }));
    const ofIncident = async (email: string) => (await mailTo([email])).filter((m) => isAbout(m, incidentId));
    const everyone = await ofIncident(component);
    expect(everyone).toHaveLength(5);
    for (const follower of [stranger, other]) {
      const mails = await ofIncident(follower);
      expect(mails.map((m) => m.body.text.split('\n')[2]?.split(' · ')[0])).toEqual([
        'Monitoring',
        'Resolved',
        'Postmortem',
      ]);
      expect(mails.map((m) => m.subject)).toEqual(Array(3).fill(everyone[0]!.subject));
      expect(header(mails[0]!, 'References')?.split(' ')[0]).toBe(header(everyone[0]!, 'References'));
      expect(mails[0]!.body.text).toContain('You receive this because you follow this incident.');
      expect(header(mails[0]!, 'List-Unsubscribe')).toMatch(/\/v1\/unsubscribe\?token=/);
    }
    // The follow is over; the other subscription goes on.
    const after = await adminCall(
      stack,
      'GET',
      `/v1/admin/subscribers/${(await subscriberByEmail(stack, other))?.id}`,
    );
    expect(after.body.follows ?? []).toEqual([]);
    expect(after.body.topics.map((t: { componentId: string }) => t.componentId)).toEqual([EU_CHAT]);
  });

  it('refuses in words what cannot be followed, and says the same whatever the address', async () => {
    const seed: Seed = { ...chatMessagesMayFail, id: `g${randomUUID().slice(0, 10)}` };
    const incidentId = `statuspage:${PAGE_ID}:${seed.id}`;
    expect(await followApi(incidentId, uniqueEmail('early'))).toMatchObject({
      status: 404,
      body: { error: { details: [{ path: 'id' }] } },
    });
    await webhook(incidentWebhook(seed, 4));
    const over = await followApi(incidentId, uniqueEmail('late'));
    expect(over.status).toBe(409);
    expect(over.body.error.message).toContain('is over');
    const page = await call('GET', `/follow?incident=${encodeURIComponent(incidentId)}`, {
      headers: { accept: 'text/html' },
    });
    expect(page.status).toBe(409);
    expect(page.body).toContain('is over: there are no more updates to follow.');
    const bad = await followApi(incidentId, 'not-an-address');
    expect(bad).toMatchObject({ status: 400, body: { error: { details: [{ path: 'body.email' }] } } });
  });

  it('gets the postmortem even when it comes in the same request as the resolution', async () => {
    const id = `pm${randomUUID().slice(0, 8)}`;
    const incidentId = `api:${PAGE_ID}:${id}`;
    const incident = (updates: object[], postmortem?: object) => ({
      pageId: PAGE_ID,
      incident: {
        id,
        name: 'Exports are slow',
        status: 'investigating',
        createdAt: '2030-02-01T10:00:00Z',
        componentIds: [US_CHAT],
        updates,
        ...(postmortem ? { postmortem } : {}),
      },
    });
    const opened = {
      id: 'u1',
      status: 'investigating',
      body: 'Exports take minutes.',
      at: '2030-02-01T10:00:00Z',
    };
    const api = (body: object) =>
      adminCall(stack, 'POST', '/v1/incidents', body).then((answer) => expect(answer.status).toBe(202));
    await api(incident([opened]));
    await stack.waitForIdle();
    const follower = uniqueEmail('pm-follower');
    expect((await followApi(incidentId, follower)).status).toBe(202);
    await confirm(follower);
    const resolved = {
      id: 'u2',
      status: 'resolved',
      body: 'Exports are fast again.',
      at: '2030-02-01T11:00:00Z',
    };
    await api(
      incident([opened, resolved], { body: 'An index was missing.', publishedAt: '2030-02-02T09:00:00Z' }),
    );
    await stack.waitForIdle();
    const mails = (await mailTo([follower])).filter((m) => isAbout(m, incidentId));
    expect(mails.map((m) => m.body.text.split('\n')[2]?.split(' · ')[0]).sort()).toEqual([
      'Postmortem',
      'Resolved',
    ]);
  });

  it('changes nothing of a known address until its owner confirms', async () => {
    const seed: Seed = { ...chatMessagesMayFail, id: `h${randomUUID().slice(0, 10)}` };
    const incidentId = `statuspage:${PAGE_ID}:${seed.id}`;
    await webhook(incidentWebhook(seed, 1));
    const former = uniqueEmail('former');
    const created = await adminCall(stack, 'POST', '/v1/admin/subscribers', {
      email: former,
      confirmed: true,
      topics: [{ pageId: PAGE_ID, componentId: EU_CHAT }],
    });
    await adminCall(stack, 'PATCH', `/v1/admin/subscribers/${created.body.id}`, { status: 'unsubscribed' });
    expect((await followApi(incidentId, former)).status).toBe(202);
    const before = await adminCall(stack, 'GET', `/v1/admin/subscribers/${created.body.id}`);
    expect(before.body).toMatchObject({ status: 'unsubscribed', topics: [{ componentId: EU_CHAT }] });
    // Confirmed by the owner: back, for this incident alone.
    await confirm(former);
    const after = await adminCall(stack, 'GET', `/v1/admin/subscribers/${created.body.id}`);
    expect(after.body).toMatchObject({ status: 'confirmed', topics: [], follows: [{ incidentId }] });
    expect(after.body.follows[0].endsAt > new Date().toISOString()).toBe(true);
  });
});
