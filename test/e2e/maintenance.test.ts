import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import { type Maintenance, type MaintenancePhase, maintenanceWebhook } from '../fixtures/maintenance';
import { PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { header, isAbout, mailTo, type StoredMail, uniqueEmail } from '../support/local-aws';
import { adminCall, startTestStack } from '../support/stack';

// Scheduled maintenance through the local stack: each phase, the reminder, levels, calendar links.
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack('maintenance');
});
afterAll(async () => {
  await stack?.stop();
});

async function follower(label: string, level: string) {
  const email = uniqueEmail(label);
  const created = await adminCall(stack, 'POST', '/v1/admin/subscribers', {
    email,
    confirmed: true,
    level,
    topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
  });
  expect(created.status).toBe(201);
  return email;
}

async function post(maintenance: Maintenance, phase: MaintenancePhase) {
  const response = await fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(maintenanceWebhook(maintenance, phase)),
  });
  expect(response.status).toBe(202);
  await stack.waitForIdle();
}

const link = (mail: StoredMail, label: string) =>
  new RegExp(`${label.replace(/[().]/g, '\\$&')}: (\\S+)`).exec(mail.body.text)?.[1];

describe('scheduled maintenance', () => {
  it('announces, reminds once, starts and ends, each subscriber at their level, in one thread', async () => {
    const [all, lifecycle, major] = await Promise.all([
      follower('mnt-all', 'all'),
      follower('mnt-lifecycle', 'lifecycle'),
      follower('mnt-major', 'major'),
    ]);
    const now = Date.now();
    const maintenance: Maintenance = {
      id: `m${randomUUID().slice(0, 11)}`,
      name: 'Database upgrade',
      announcedAt: new Date(now - 86_400_000).toISOString(),
      scheduledFor: new Date(now + 30 * 60_000).toISOString(),
      scheduledUntil: new Date(now + 150 * 60_000).toISOString(),
      remindPrior: true,
    };
    await post(maintenance, 'scheduled');
    // The schedule fires twice, and twice at once: one reminder.
    await stack.runScheduled('reminders');
    await Promise.all([stack.runScheduled('reminders'), stack.runScheduled('reminders')]);
    await stack.waitForIdle();
    for (const phase of ['in_progress', 'verifying', 'completed'] as const) await post(maintenance, phase);
    // After the start, nothing more to remind of.
    await stack.runScheduled('reminders');
    await stack.waitForIdle();

    const incidentId = `statuspage:${PAGE_ID}:${maintenance.id}`;
    const mails = (await mailTo([all])).filter((m) => isAbout(m, incidentId));
    expect(mails.map((m) => m.body.text.split('\n')[2])).toEqual([
      'Scheduled maintenance · Maintenance',
      'Maintenance reminder · Maintenance',
      'Maintenance in progress · Maintenance',
      'Verifying · Maintenance',
      'Maintenance completed · Maintenance',
    ]);
    expect(new Set(mails.map((m) => m.subject))).toEqual(
      new Set(['[Kustomer] Scheduled maintenance: Database upgrade']),
    );
    const root = header(mails[0]!, 'References');
    expect(mails.every((m) => header(m, 'References')?.startsWith(root ?? '-'))).toBe(true);
    expect(mails[1]!.body.text).toMatch(/This maintenance starts in about (25|30) minutes\./);
    // The window in UTC and the page's time zone (America/New_York).
    expect(mails[0]!.body.text).toMatch(
      /Maintenance window: \d{4}-\d\d-\d\d \d\d:\d\d UTC \(\d\d:\d\d E[SD]T\) to /,
    );

    const lifecycleMails = (await mailTo([lifecycle])).filter((m) => isAbout(m, incidentId));
    expect(lifecycleMails.map((m) => m.body.text.split('\n')[2])).toEqual([
      'Scheduled maintenance · Maintenance',
      'Maintenance completed · Maintenance',
    ]);
    expect(await mailTo([major])).toEqual([]);
  });

  it('puts the window in a calendar from the mail, and stops offering it once done', async () => {
    const email = await follower('mnt-calendar', 'all');
    const maintenance: Maintenance = {
      id: `c${randomUUID().slice(0, 11)}`,
      name: 'Network, switches; cabling',
      announcedAt: '2030-05-01T09:00:00Z',
      scheduledFor: '2030-05-02T22:00:00Z',
      scheduledUntil: '2030-05-03T00:30:00Z',
      remindPrior: false,
    };
    await post(maintenance, 'scheduled');
    const [mail] = await mailTo([email]);
    const google = new URL(link(mail!, 'Add to Google Calendar') ?? '');
    expect(google.searchParams.get('dates')).toBe('20300502T220000Z/20300503T003000Z');
    expect(google.searchParams.get('text')).toBe(
      '[Kustomer] Scheduled maintenance: Network, switches; cabling',
    );
    expect(mail!.body.html).toContain('Download for other calendars (.ics)');

    const ics = link(mail!, 'Add to other calendars (.ics)') ?? '';
    const local = ics.replace(/^https?:\/\/[^/]+/, stack.apiUrl);
    const file = await fetch(local);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(file.headers.get('content-disposition')).toContain('maintenance.ics');
    const body = await file.text();
    expect(body).toContain('BEGIN:VEVENT\r\n');
    expect(body).toContain('DTSTART:20300502T220000Z\r\nDTEND:20300503T003000Z\r\n');
    expect(body).toContain('SUMMARY:[Kustomer] Scheduled maintenance: Network\\, switches\\; cabling\r\n');
    expect(body.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
    const forged = local.replace(/sig=[^&]+/, 'sig=forged');
    const refused = await fetch(forged, { headers: { accept: 'application/json' } });
    expect(refused.status).toBe(404);

    await post(maintenance, 'completed');
    const done = (await mailTo([email])).at(-1)!;
    expect(done.body.text).toContain('Maintenance completed');
    expect(done.body.text).not.toContain('Add to Google Calendar');
  });

  it('shows the window in each reader’s own time zone beside UTC, else the page’s', async () => {
    const pageZone = await follower('mnt-page-zone', 'all');
    const tokyo = uniqueEmail('mnt-tokyo');
    const subscribed = await fetch(`${stack.apiUrl}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: tokyo,
        topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
        timeZone: 'Asia/Tokyo',
      }),
    });
    expect(subscribed.status).toBe(202);
    const confirmLink =
      /https?:\/\/\S+\/v1\/confirm\?token=\S+/.exec((await mailTo([tokyo]))[0]!.body.text)?.[0] ?? '';
    expect(
      (await fetch(confirmLink.replace(/^https?:\/\/[^/]+/, stack.apiUrl), { method: 'POST' })).status,
    ).toBe(200);
    const maintenance: Maintenance = {
      id: `z${randomUUID().slice(0, 11)}`,
      name: 'Storage migration',
      announcedAt: '2030-05-01T09:00:00Z',
      scheduledFor: '2030-05-02T22:00:00Z',
      scheduledUntil: '2030-05-03T00:30:00Z',
      remindPrior: false,
    };
    await post(maintenance, 'scheduled');
    const incidentId = `statuspage:${PAGE_ID}:${maintenance.id}`;
    const [inTokyo] = (await mailTo([tokyo])).filter((m) => isAbout(m, incidentId));
    const [inNewYork] = (await mailTo([pageZone])).filter((m) => isAbout(m, incidentId));
    expect(inTokyo!.body.text).toContain(
      'Maintenance window: 2030-05-02 22:00 UTC (07:00 GMT+9) to 2030-05-03 00:30 UTC (09:30 GMT+9)',
    );
    expect(inTokyo!.body.html).toContain('22:00 UTC (07:00 GMT+9)');
    expect(inNewYork!.body.text).toContain('Maintenance window: 2030-05-02 22:00 UTC (18:00 EDT) to ');
    // Changed on the preferences link of the mail; a zone no one has is refused by name.
    const preferences = (/Manage preferences: (\S+)/.exec(inTokyo!.body.text)?.[1] ?? '').replace(
      /^https?:\/\/[^/]+/,
      stack.apiUrl,
    );
    const change = (timeZone: string) =>
      fetch(preferences, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ timeZone }),
      });
    const paris = await change('Europe/Paris');
    expect(paris.status).toBe(200);
    expect(((await paris.json()) as { changes: unknown }).changes).toMatchObject({
      timeZone: { from: 'Asia/Tokyo', to: 'Europe/Paris' },
    });
    const mars = await change('Mars/Olympus_Mons');
    expect(mars.status).toBe(400);
    expect(JSON.stringify(await mars.json())).toContain('body.timeZone');
    // Everything else of the mail is the same for both.
    expect(inTokyo!.body.text.replace(/Maintenance window: .*\n/, '').replace(/\n--\n[\s\S]*$/, '')).toBe(
      inNewYork!.body.text.replace(/Maintenance window: .*\n/, '').replace(/\n--\n[\s\S]*$/, ''),
    );
  });
});
