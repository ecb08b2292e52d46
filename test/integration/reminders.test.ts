import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { StatuspageWebhook } from '../../shared/domain/statuspage';
import { ingestStatuspageWebhook } from '../../shared/usecases/ingest-statuspage';
import { sendMaintenanceReminders } from '../../shared/usecases/maintenance-reminders';
import { type Maintenance, maintenanceWebhook } from '../fixtures/maintenance';
import { PAGE_ID } from '../fixtures/seeds';
import { freshStores } from '../support/local-aws';

let stores: Awaited<ReturnType<typeof freshStores>>;
const now = new Date('2030-06-01T12:00:00Z');
const clock = { now: () => now };
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();

beforeAll(async () => {
  stores = await freshStores();
});

async function announce(overrides: Partial<Maintenance>) {
  const maintenance: Maintenance = {
    id: `r${randomUUID().slice(0, 11)}`,
    name: 'Database upgrade',
    announcedAt: at(-24 * 60),
    scheduledFor: at(40),
    scheduledUntil: at(100),
    remindPrior: true,
    ...overrides,
  };
  const webhook = StatuspageWebhook.parse(maintenanceWebhook(maintenance, 'scheduled'));
  await ingestStatuspageWebhook(stores, webhook);
  return { maintenance, incidentId: `statuspage:${PAGE_ID}:${maintenance.id}` };
}

const remind = () => sendMaintenanceReminders({ incidents: stores.incidents, clock }, { leadMinutes: 60 });

describe('maintenance reminders', () => {
  it('remind of a window starting within the lead time, once, and of nothing else', async () => {
    const due = await announce({});
    const later = await announce({ scheduledFor: at(90), scheduledUntil: at(150) });
    const unasked = await announce({ remindPrior: false });
    const lateNotice = await announce({ announcedAt: at(-10) });
    const first = await remind();
    expect(first.reminded).toEqual([due.incidentId]);
    expect(first.skipped).toBe(1); // announced within the lead time (one not asked for is not even filed)
    expect((await remind()).reminded).toEqual([]);
    const stored = await stores.incidents.get(due.incidentId);
    expect(stored?.updates.filter((u) => u.kind === 'reminder')).toEqual([
      expect.objectContaining({ updateId: 'reminder-203006011240', status: 'reminder', notify: true }),
    ]);
    for (const other of [later, unasked, lateNotice]) {
      const { updates = [] } = (await stores.incidents.get(other.incidentId)) ?? {};
      expect(updates.some((u) => u.kind === 'reminder')).toBe(false);
    }
  });

  it('follow a window that moved: the old start is forgotten, the new one reminded of', async () => {
    const moved = await announce({ scheduledFor: at(200), scheduledUntil: at(260) });
    const webhook = maintenanceWebhook(
      { ...moved.maintenance, scheduledFor: at(20), scheduledUntil: at(80) },
      'scheduled',
    );
    webhook.incident.updated_at = at(-5);
    await ingestStatuspageWebhook(stores, StatuspageWebhook.parse(webhook));
    expect((await remind()).reminded).toEqual([moved.incidentId]);
  });
});
