import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, type Seed, US_CHAT } from '../fixtures/seeds';
import { isAbout, mailTo, uniqueEmail } from '../support/local-aws';
import { adminCall, startTestStack } from '../support/stack';

// Webhooks as a status page sends them on a bad day: the same one many times at once, and an older one
// arriving after a newer one. (A missed webhook whose update first appears in a later one is in
// pipeline.test.ts.) Each subscriber gets the right mails, once each.
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack('race');
});
afterAll(async () => {
  await stack?.stop();
});

const seed = (): Seed => ({ ...chatMessagesMayFail, id: `r${randomUUID().slice(0, 10)}` });
const post = (body: unknown) =>
  fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((response) => response.status);

async function follower() {
  const email = uniqueEmail('race');
  const created = await adminCall(stack, 'POST', '/v1/admin/subscribers', {
    email,
    confirmed: true,
    topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
  });
  expect(created.status).toBe(201);
  return email;
}
const mailsAbout = async (email: string, incident: Seed) =>
  (await mailTo([email])).filter((mail) => isAbout(mail, `statuspage:${PAGE_ID}:${incident.id}`));

describe('webhook races', () => {
  it('sends one mail when the same webhook arrives ten times at once', async () => {
    const email = await follower();
    const incident = seed();
    const statuses = await Promise.all(Array.from({ length: 10 }, () => post(incidentWebhook(incident, 1))));
    expect(statuses.every((status) => status === 202)).toBe(true);
    await stack.waitForIdle();
    expect(await mailsAbout(email, incident)).toHaveLength(1);
  });

  it('sends nothing for an older webhook that arrives after a newer one, and keeps the newer state', async () => {
    const email = await follower();
    const incident = seed();
    expect(await post(incidentWebhook(incident, 1))).toBe(202);
    expect(await post(incidentWebhook(incident, 2))).toBe(202);
    await stack.waitForIdle();
    expect(await post(incidentWebhook(incident, 1))).toBe(202); // late: its update is already stored
    await stack.waitForIdle();
    const mails = await mailsAbout(email, incident);
    expect(mails).toHaveLength(2);
    const report = await adminCall(stack, 'GET', `/v1/admin/incidents/statuspage:${PAGE_ID}:${incident.id}`);
    expect(report.body.incident.status).toBe('identified');
    // Every follower of the suite got each update once: sent equals matched, nothing sent twice.
    for (const { counts } of report.body.updates as Array<{ counts: { sent: number; matched: number } }>) {
      expect(counts.sent).toBe(counts.matched);
    }
  });
});
