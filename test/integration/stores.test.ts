import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoCatalog } from '../../shared/adapters/dynamo/catalog';
import { DynamoDeliveries } from '../../shared/adapters/dynamo/deliveries';
import { DynamoIncidents } from '../../shared/adapters/dynamo/incidents';
import { DynamoSubscribers } from '../../shared/adapters/dynamo/subscribers';
import { ComponentsJson, catalogFromComponentsJson } from '../../shared/domain/catalog';
import type { Delivery } from '../../shared/domain/delivery';
import { deliveryId } from '../../shared/domain/delivery';
import { planIncidentIngest } from '../../shared/domain/ingest-plan';
import { StatuspageIncidentWebhook } from '../../shared/domain/statuspage';
import componentsJson from '../fixtures/components.json';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { freshTables, uniqueEmail } from '../support/local-aws';

let stores: Awaited<ReturnType<typeof setup>>;
async function setup() {
  const { db, tables } = await freshTables();
  return {
    incidents: new DynamoIncidents(db, tables.incidents),
    catalog: new DynamoCatalog(db, tables.catalog),
    subscribers: new DynamoSubscribers(db, tables.subscribers),
    deliveries: new DynamoDeliveries(db, tables.deliveries),
  };
}
beforeAll(async () => {
  stores = await setup();
});

const plan = (count: number) =>
  planIncidentIngest(StatuspageIncidentWebhook.parse(incidentWebhook(chatMessagesMayFail, count)));

describe('DynamoIncidents', () => {
  it('stores an update once, however often it is offered', async () => {
    const { incident, updates } = plan(1);
    await stores.incidents.save(incident);
    const first = updates[0]!;
    const results = await Promise.all(Array.from({ length: 10 }, () => stores.incidents.addUpdate(first)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('keeps the first subject when the incident is renamed, and never rolls its state back', async () => {
    const later = plan(3).incident;
    await stores.incidents.save({ ...later, name: 'Renamed', subject: 'Renamed [x]' });
    await stores.incidents.save({ ...plan(2).incident, componentIds: ['cmpemailus01'] });
    const stored = await stores.incidents.get(later.incidentId);
    expect(stored?.incident.subject).toBe(plan(1).incident.subject);
    expect(stored?.incident.name).toBe('Renamed');
    expect(stored?.incident.status).toBe('monitoring');
    // ...but what an older webhook says about affected components still counts.
    expect(stored?.incident.componentIds).toEqual(['cmpchatus001', 'cmpemailus01']);
  });

  it('tells a resumed fan-out from a first one', async () => {
    const { updates } = plan(1);
    const update = updates[0]!;
    expect(await stores.incidents.beginFanout(update.incidentId, update.updateId)).toEqual({
      resumed: false,
    });
    expect(await stores.incidents.beginFanout(update.incidentId, update.updateId)).toEqual({ resumed: true });
  });
});

describe('DynamoCatalog', () => {
  it('imports components.json and lets webhooks move components', async () => {
    await stores.catalog.replacePage(
      catalogFromComponentsJson(PAGE_ID, ComponentsJson.parse(componentsJson)),
    );
    await stores.catalog.recordPlacements([
      { pageId: PAGE_ID, componentId: 'cmpnew000001', name: 'Channel - SMS', groupId: 'grpnew000001' },
    ]);
    const page = await stores.catalog.getPage(PAGE_ID);
    expect(page.page?.name).toBe('Kustomer');
    expect(page.groups.map((g) => g.name)).toEqual(['Prod1 (US)', 'Prod2 (EU)', 'grpnew000001']);
    expect(page.components.find((c) => c.componentId === 'cmpnew000001')?.groupId).toBe('grpnew000001');
  });
});

describe('DynamoSubscribers', () => {
  const topic = {
    pageId: PAGE_ID,
    componentId: US_CHAT,
    groupId: 'grp1produs01',
    key: `C#${PAGE_ID}#${US_CHAT}`,
  };

  it('refuses a second subscriber with the same address', async () => {
    const email = uniqueEmail('dup');
    await stores.subscribers.create({ email, status: 'confirmed', topics: [topic] });
    await expect(
      stores.subscribers.create({ email, status: 'confirmed', topics: [topic] }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect((await stores.subscribers.findByEmail(email))?.topics).toEqual([topic]);
  });

  it('lists only confirmed followers of a topic, page by page', async () => {
    const key = `C#${PAGE_ID}#audience-${Date.now()}`;
    const confirmed = await stores.subscribers.create({
      email: uniqueEmail('yes'),
      status: 'confirmed',
      topics: [{ ...topic, key }],
    });
    await stores.subscribers.create({
      email: uniqueEmail('no'),
      status: 'pending',
      topics: [{ ...topic, key }],
    });
    const seen = [];
    for await (const page of stores.subscribers.audience(key)) seen.push(...page);
    expect(seen).toEqual([{ subscriberId: confirmed.id, email: confirmed.email }]);
  });
});

describe('DynamoDeliveries', () => {
  const delivery = (n: number): Delivery => ({
    subscriberId: `sub-${n}`,
    incidentId: 'statuspage:p:inc',
    updateId: 'u1',
    email: `s${n}@example.com`,
    status: 'pending',
    attempts: 0,
    createdAt: new Date().toISOString(),
  });

  it('writes hundreds in batches and reads them back with their threads', async () => {
    const many = Array.from({ length: 260 }, (_, n) => delivery(n));
    await stores.deliveries.putAll(many, { onlyMissing: false });
    await stores.deliveries.recordOutcomes([], [{ ...many[0]!, messageId: '<first@ses>' }]);
    const { deliveries, firstMessageIds } = await stores.deliveries.loadForSending(many);
    expect(deliveries.size).toBe(260);
    expect([...firstMessageIds.values()]).toEqual(['<first@ses>']);
  });

  it('never resets a sent delivery when a resumed fan-out writes it again', async () => {
    const sent = { ...delivery(1000), status: 'sent' as const, messageId: '<m@ses>', attempts: 1 };
    await stores.deliveries.recordOutcomes([sent], []);
    await stores.deliveries.putAll([delivery(1000), delivery(1001)], { onlyMissing: true });
    const { deliveries } = await stores.deliveries.loadForSending([delivery(1000), delivery(1001)]);
    expect(deliveries.get(deliveryId(sent))?.status).toBe('sent');
    expect(deliveries.get(deliveryId(delivery(1001)))?.status).toBe('pending');
  });
});
