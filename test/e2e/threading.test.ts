import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import { maintenanceWebhook } from '../fixtures/maintenance';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, type Seed, US_CHAT } from '../fixtures/seeds';
import { isAbout, mailTo, mimeSource, uniqueEmail } from '../support/local-aws';
import { notmuch, threadsOf } from '../support/notmuch';
import { describeNeeding } from '../support/requires';
import { adminCall, startTestStack } from '../support/stack';

// Threads as a mail client builds them, from the MIME source the emulator accepted.
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack('threading');
});
afterAll(async () => {
  await stack?.stop();
});

const webhook = (payload: unknown) =>
  fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });

describeNeeding(notmuch, 'subjects and threads in a mail client', () => {
  it('reads like a person wrote it, one thread per incident, two incidents of one name kept apart', {
    timeout: 30_000,
  }, async () => {
    const email = uniqueEmail('threads');
    const created = await adminCall(stack, 'POST', '/v1/admin/subscribers', {
      email,
      confirmed: true,
      topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
    });
    expect(created.status).toBe(201);
    const name = 'Chat messages may fail to deliver';
    const first: Seed = { ...chatMessagesMayFail, id: `a${randomUUID().slice(0, 8)}`, name };
    const second: Seed = { ...chatMessagesMayFail, id: `b${randomUUID().slice(0, 8)}`, name };
    for (const [seed, count] of [
      [first, 1],
      [second, 1],
      [first, 2],
      [second, 2],
      [first, 3],
    ] as const) {
      expect((await webhook(incidentWebhook(seed, count))).status).toBe(202);
      await stack.waitForIdle();
    }

    const maintenance = {
      id: `m${randomUUID().slice(0, 8)}`,
      name: 'Database upgrade',
      announcedAt: '2030-05-01T09:00:00Z',
      scheduledFor: '2030-05-02T22:00:00Z',
      scheduledUntil: '2030-05-03T00:00:00Z',
      remindPrior: false,
    };
    for (const phase of ['scheduled', 'in_progress'] as const) {
      expect((await webhook(maintenanceWebhook(maintenance, phase))).status).toBe(202);
      await stack.waitForIdle();
    }

    const all = await mailTo([email]);
    const maintenanceMails = all.filter((mail) => isAbout(mail, `statuspage:${PAGE_ID}:${maintenance.id}`));
    expect(maintenanceMails.map((mail) => mail.subject)).toEqual(
      Array(2).fill('[Kustomer] Scheduled maintenance: Database upgrade'),
    );
    const mails = all.filter((mail) => !maintenanceMails.includes(mail));
    expect(mails.map((mail) => mail.subject)).toEqual(Array(5).fill(`[Kustomer] ${name}`));
    const threads = threadsOf(
      await Promise.all(all.map(async (mail) => ({ key: mail.messageId, source: await mimeSource(mail) }))),
    );
    const about = (seed: Seed) =>
      mails.filter((mail) => isAbout(mail, `statuspage:${PAGE_ID}:${seed.id}`)).map((mail) => mail.messageId);
    const ids = (list: typeof all) => list.map((mail) => mail.messageId).sort();
    const bySize = (groups: string[][]) =>
      groups.sort((a, b) => b.length - a.length || String(a[0]).localeCompare(String(b[0])));
    expect(bySize(threads.map((thread) => thread.keys.sort()))).toEqual(
      bySize([about(first).sort(), about(second).sort(), ids(maintenanceMails)]),
    );
    expect(threads.map((thread) => thread.subject).sort()).toEqual([
      `[Kustomer] ${name}`,
      `[Kustomer] ${name}`,
      '[Kustomer] Scheduled maintenance: Database upgrade',
    ]);
  });
});
