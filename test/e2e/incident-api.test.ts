import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack';
import { PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { header, isAbout, mailTo, uniqueEmail } from '../support/local-aws';
import { adminCall, adminHeaders, startTestStack } from '../support/stack';

// The incident API for in-house tooling, through the local stack, retries included.
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack('incident-api');
});
afterAll(async () => {
  await stack?.stop();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { ...adminHeaders, ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

async function follower(label: string) {
  const email = uniqueEmail(label);
  const created = await adminCall(stack, 'POST', '/v1/admin/subscribers', {
    email,
    confirmed: true,
    topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
  });
  expect(created.status).toBe(201);
  return email;
}

const newIncident = (id: string, name = 'Chat is slow') => ({
  pageId: PAGE_ID,
  incident: {
    id,
    name,
    status: 'investigating',
    impact: 'minor',
    createdAt: '2026-11-23T10:00:00Z',
    components: [{ region: 'Prod1 (US)', name: 'Channel - Chat' }],
    updates: [
      { id: 'u1', status: 'investigating', body: 'Chat messages are slow.', at: '2026-11-23T10:00:00Z' },
    ],
  },
});

describe('the incident API', () => {
  it('opens, updates, renames and closes an incident with a postmortem, each retry notifying nobody twice', async () => {
    const email = await follower('api-life');
    const id = `api${randomUUID().slice(0, 8)}`;
    const incidentId = `api:${PAGE_ID}:${id}`;
    const opened = await call('POST', '/v1/incidents', newIncident(id), { 'idempotency-key': `open-${id}` });
    expect(opened).toMatchObject({ status: 202, body: { incidentId, notifying: ['u1'] } });
    // The same request under the same key: the first answer again, nothing stored.
    const retried = await call('POST', '/v1/incidents', newIncident(id), { 'idempotency-key': `open-${id}` });
    expect(retried.body).toEqual(opened.body);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');

    // An update without an id, three times under one key: one update, one mail.
    const update = {
      status: 'identified',
      body: 'A queue is not draining.',
      at: '2026-11-23T10:20:00Z',
      components: [US_CHAT],
    };
    const key = { 'idempotency-key': randomUUID() };
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await call('POST', `/v1/incidents/${id}/updates`, update, key));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(answers[0]!.body).toMatchObject({ incidentId, stored: true, notifying: true });
    // The key for another request is refused; a retry with an id of its own is a no-op.
    const misuse = await call('POST', `/v1/incidents/${id}/updates`, { ...update, body: 'Other.' }, key);
    expect(misuse.status).toBe(422);
    expect(misuse.body.error.details[0].path).toBe('idempotency-key');
    const named = { id: 'u3', status: 'monitoring', body: 'A fix is out.', at: '2026-11-23T10:40:00Z' };
    expect((await call('POST', `/v1/incidents/${incidentId}/updates`, named)).body.stored).toBe(true);
    expect((await call('POST', `/v1/incidents/${incidentId}/updates`, named)).body.stored).toBe(false);

    const rename = { name: 'Chat messages delayed', impact: 'major' };
    const renameKey = { 'idempotency-key': `rename-${id}` };
    const renamed = await call('PATCH', `/v1/incidents/${id}`, rename, renameKey);
    const renamedAgain = await call('PATCH', `/v1/incidents/${id}`, rename, renameKey);
    expect(renamedAgain.body).toEqual(renamed.body);
    expect(renamedAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(renamed.body).toMatchObject({
      name: 'Chat messages delayed',
      impact: 'major',
      subject: 'Chat is slow',
    });
    const resolved = { id: 'u4', status: 'resolved', body: 'All delivered.', at: '2026-11-23T11:00:00Z' };
    expect((await call('POST', `/v1/incidents/${id}/updates`, resolved)).status).toBe(202);
    const postmortem = { body: 'A consumer stopped after a deploy.', publishedAt: '2026-11-24T09:00:00Z' };
    const postmortemKey = { 'idempotency-key': `postmortem-${id}` };
    const published = await call('POST', `/v1/incidents/${id}/postmortem`, postmortem, postmortemKey);
    expect(published.body).toMatchObject({ stored: true, notifying: true });
    const publishedAgain = await call('POST', `/v1/incidents/${id}/postmortem`, postmortem, postmortemKey);
    expect(publishedAgain.body).toEqual(published.body);
    // Without the key, the same postmortem again is still harmless: stored once.
    expect((await call('POST', `/v1/incidents/${id}/postmortem`, postmortem)).body.stored).toBe(false);
    // Another text revises the published one: nobody hears of it twice.
    const revision = { body: 'A consumer stopped after a deploy; it now restarts by itself.' };
    expect((await call('POST', `/v1/incidents/${id}/postmortem`, revision)).body).toMatchObject({
      stored: false,
      revised: true,
      notifying: false,
    });
    await stack.waitForIdle();

    const mails = (await mailTo([email])).filter((m) => isAbout(m, incidentId));
    expect(mails).toHaveLength(5); // opened, identified, monitoring, resolved, postmortem
    expect(new Set(mails.map((m) => m.subject))).toEqual(new Set(['[Kustomer] Chat is slow']));
    expect(
      mails
        .slice(1)
        .every((m) => header(m, 'In-Reply-To') === `<${mails[0]!.messageId}@email.amazonses.com>`),
    ).toBe(true);
    expect(mails.at(-1)!.body.text).toContain('A consumer stopped after a deploy');

    const read = await call('GET', `/v1/incidents/${id}`);
    expect(read.body).toMatchObject({
      incidentId,
      id,
      source: 'api',
      name: 'Chat messages delayed',
      status: 'postmortem',
      componentIds: [US_CHAT],
    });
    expect(read.body.updates.at(-1).body).toBe(revision.body);
    expect(read.body.updates.map((u: { status: string }) => u.status)).toEqual([
      'investigating',
      'identified',
      'monitoring',
      'resolved',
      'postmortem',
    ]);
  });

  it('lists a page’s incidents newest first, by status, a page at a time', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const id = `lst${randomUUID().slice(0, 8)}`;
      const body = newIncident(id);
      body.incident.createdAt = `2030-01-0${i + 1}T10:00:00Z`;
      body.incident.updates[0]!.at = body.incident.createdAt;
      if (i === 1) body.incident.status = 'resolved';
      expect((await call('POST', '/v1/incidents', body)).status).toBe(202);
      ids.push(id);
    }
    const first = await call('GET', `/v1/incidents?pageId=${PAGE_ID}&limit=2`);
    expect(first.body.items.map((i: { id: string }) => i.id)).toEqual([ids[2], ids[1]]);
    const second = await call('GET', `/v1/incidents?pageId=${PAGE_ID}&limit=2&cursor=${first.body.cursor}`);
    expect(second.body.items[0].id).toBe(ids[0]);
    const open = await call('GET', `/v1/incidents?pageId=${PAGE_ID}&status=open&limit=2`);
    expect(open.body.items.map((i: { id: string }) => i.id)).toEqual([ids[2], ids[0]]);
    const resolved = await call('GET', `/v1/incidents?pageId=${PAGE_ID}&status=resolved&limit=1`);
    expect(resolved.body.items.map((i: { id: string }) => i.id)).toEqual([ids[1]]);
  });

  it('answers in words when a request cannot be done', async () => {
    const missing = await call('GET', '/v1/incidents/no-such-incident');
    expect(missing).toMatchObject({ status: 404, body: { error: { details: [{ path: 'id' }] } } });
    const id = `bad${randomUUID().slice(0, 8)}`;
    await call('POST', '/v1/incidents', newIncident(id));
    const unknown = await call('POST', `/v1/incidents/${id}/updates`, {
      status: 'identified',
      body: 'x',
      components: [{ region: 'Prod1 (US)', name: 'Carrier pigeons' }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([
      { path: 'components.0', message: 'no component "Carrier pigeons" in "Prod1 (US)" on this page' },
    ]);
    const empty = await call('PATCH', `/v1/incidents/${id}`, {});
    expect(empty.status).toBe(400);
    const badKey = await call(
      'POST',
      `/v1/incidents/${id}/updates`,
      { status: 'identified', body: 'x' },
      {
        'idempotency-key': 'has spaces',
      },
    );
    expect(badKey).toMatchObject({
      status: 400,
      body: { error: { details: [{ path: 'idempotency-key' }] } },
    });
    expect((await call('GET', '/v1/incidents')).body.error.details[0].path).toBe('query.pageId');
  });
});
