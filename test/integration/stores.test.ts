import { DeleteCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoRateLimiter } from '../../shared/adapters/dynamo/admin-records';
import { DynamoSendPacer } from '../../shared/adapters/dynamo/send-rate';
import {
  CHANGE_LOG_GRACE_MS,
  CHANGE_LOG_REACH_MS,
  CHANGE_LOG_START,
  DynamoSubscriberChanges,
  subscriberChangeWrite,
} from '../../shared/adapters/dynamo/subscriber-changes';
import { ComponentsJson } from '../../shared/domain/catalog';
import { catalogFromComponentsJson } from '../../shared/domain/catalog-import';
import type { Delivery } from '../../shared/domain/delivery';
import { deliveryId } from '../../shared/domain/delivery';
import { planIncidentIngest } from '../../shared/domain/ingest-plan';
import { batchKeysOf, sendBatchId } from '../../shared/domain/send-batch';
import { StatuspageIncidentWebhook } from '../../shared/domain/statuspage';
import componentsJson from '../fixtures/components.json';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { freshStores, freshTables, uniqueEmail } from '../support/local-aws';
import { subscriberRecord } from '../support/records';

let stores: Awaited<ReturnType<typeof setup>>;
async function setup() {
  return freshStores();
}
beforeAll(async () => {
  stores = await setup();
});

/** Counts the requests the client sends from now on. */
function countRequests(db: Awaited<ReturnType<typeof freshTables>>['db']): () => number {
  let requests = 0;
  db.middlewareStack.add(
    (next) => async (args) => {
      requests++;
      return next(args);
    },
    { step: 'initialize' },
  );
  return () => requests;
}

const plan = (count: number) =>
  planIncidentIngest(StatuspageIncidentWebhook.parse(incidentWebhook(chatMessagesMayFail, count)));

describe('DynamoIncidents', () => {
  it('stores an update once, however often it is offered', async () => {
    const { incident, updates } = plan(1);
    await stores.incidents.save(incident);
    const first = updates[0]!;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => stores.incidents.addUpdate(first, incident)),
    );
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
    await stores.subscribers.create(subscriberRecord({ email, topics: [topic] }));
    await expect(
      stores.subscribers.create(subscriberRecord({ email, topics: [topic] })),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect((await stores.subscribers.findByEmail(email))?.topics).toEqual([topic]);
  });

  it('lists only confirmed followers of a topic, with their level, and follows status changes', async () => {
    const key = `C#${PAGE_ID}#audience-${Date.now()}`;
    const confirmed = subscriberRecord({
      email: uniqueEmail('yes'),
      level: 'major',
      topics: [{ ...topic, key }],
    });
    const pending = subscriberRecord({
      email: uniqueEmail('no'),
      status: 'pending',
      topics: [{ ...topic, key }],
    });
    await stores.subscribers.create(confirmed);
    await stores.subscribers.create(pending);
    const audience = async () => {
      const seen = [];
      for await (const page of stores.subscribers.audience(key)) seen.push(...page);
      return seen;
    };
    expect(await audience()).toEqual([
      { subscriberId: confirmed.id, email: confirmed.email, level: 'major' },
    ]);
    await stores.subscribers.save({ ...confirmed, status: 'unsubscribed' }, confirmed);
    await stores.subscribers.save({ ...pending, status: 'confirmed' }, pending);
    expect(await audience()).toEqual([{ subscriberId: pending.id, email: pending.email, level: 'all' }]);
  });

  it('refuses a save based on a stale read and removes dropped topics', async () => {
    const other = { pageId: PAGE_ID, groupId: 'grp2prodeu01', key: `G#${PAGE_ID}#grp2prodeu01` };
    const record = subscriberRecord({ email: uniqueEmail('stale'), topics: [topic, other] });
    await stores.subscribers.create(record);
    const saved = await stores.subscribers.save({ ...record, topics: [other] }, record);
    await expect(stores.subscribers.save({ ...record, level: 'major' }, record)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect((await stores.subscribers.get(record.id))?.topics).toEqual([other]);
    expect(saved.version).toBe(1);
  });

  it('searches by address part, status and followed region, page by page', async () => {
    const marker = `srch${Date.now()}`;
    const records = Array.from({ length: 5 }, (_, n) =>
      subscriberRecord({
        email: `${marker}-${n}@example.com`,
        topics: n % 2 ? [topic] : [{ pageId: PAGE_ID, key: `P#${PAGE_ID}` }],
      }),
    );
    for (const record of records) await stores.subscribers.create(record);
    const found: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await stores.subscribers.search({ email: marker, groupId: 'grp1produs01' }, cursor, 1);
      found.push(...page.items.map((r) => r.email));
      cursor = page.cursor;
      pages++;
    } while (cursor);
    expect(found.sort()).toEqual([`${marker}-1@example.com`, `${marker}-3@example.com`]);
    expect(pages).toBeGreaterThanOrEqual(2);
  });

  it('erases a subscriber and frees its address', async () => {
    const record = subscriberRecord({ email: uniqueEmail('erase'), topics: [topic] });
    await stores.subscribers.create(record);
    await stores.subscribers.erase(record.id);
    expect(await stores.subscribers.get(record.id)).toBeUndefined();
    expect(await stores.subscribers.findByEmail(record.email)).toBeUndefined();
  });
});

describe('DynamoSubscriberChanges', () => {
  const topic = { pageId: PAGE_ID, componentId: US_CHAT, key: `C#${PAGE_ID}#${US_CHAT}` };

  it('logs, with each change, what a sender must know of, and nothing else', async () => {
    const from = new Date();
    const changes = new DynamoSubscriberChanges(stores.db, stores.tables.subscribers);
    const [quiet, leaving, erased] = ['quiet', 'leaving', 'erased'].map((label) =>
      subscriberRecord({ email: uniqueEmail(label), topics: [topic] }),
    );
    for (const record of [quiet!, leaving!, erased!]) await stores.subscribers.create(record);
    // Topics and invitations change nothing about a mail in flight; a status does.
    await stores.subscribers.save({ ...quiet!, topics: [], lastInviteAt: from.toISOString() }, quiet!);
    await stores.subscribers.save({ ...leaving!, status: 'unsubscribed' }, leaving!);
    await stores.subscribers.erase(erased!.id);
    const suppressed = uniqueEmail('bounced');
    await stores.suppressions.add({ email: suppressed, reason: 'bounce', createdAt: '', source: 'test' });
    const neverSuppressed = uniqueEmail('never');
    expect(await stores.suppressions.remove(neverSuppressed)).toBe(false); // none to lift: nothing logged
    const lifted = uniqueEmail('lifted');
    await stores.suppressions.add({ email: lifted, reason: 'bounce', createdAt: '', source: 'test' });
    expect(await stores.suppressions.remove(lifted)).toBe(true);

    const logged = await changes.since(from);
    const ours = (ids: Set<string>, wanted: string[]) => [...ids].filter((id) => wanted.includes(id)).sort();
    expect(ours(logged!.subscriberIds, [quiet!.id, leaving!.id, erased!.id])).toEqual(
      [leaving!.id, erased!.id].sort(),
    );
    // An erased address is not written again: the log has the id only.
    const addresses = [quiet!.email, leaving!.email, erased!.email, suppressed, lifted, neverSuppressed];
    expect(ours(logged!.emails, addresses)).toEqual([suppressed, lifted].sort());
    // Only what happened since the time asked about; nothing at all past the log's reach.
    const later = await changes.since(new Date(Date.now() + 60_000));
    expect(ours(later!.subscriberIds, [leaving!.id, erased!.id])).toEqual([]);
    expect(await changes.since(new Date(Date.now() - CHANGE_LOG_REACH_MS - 60_000))).toBeUndefined();
  });

  it('after an upgrade, answers only for fan-outs an hour after the first sender that asked', async () => {
    // Tables of a version without the log: no start item.
    const { db, tables } = await freshTables();
    await db.send(new DeleteCommand({ TableName: tables.subscribers, Key: CHANGE_LOG_START }));
    let now = Date.now();
    const changes = new DynamoSubscriberChanges(db, tables.subscribers, () => new Date(now));
    const upgradedAt = now;
    expect(await changes.since(new Date(upgradedAt - 60_000))).toBeUndefined(); // fanned out before
    expect(await changes.since(new Date(upgradedAt + 60_000))).toBeUndefined(); // during the canary
    now = upgradedAt + CHANGE_LOG_GRACE_MS + 120_000;
    expect(await changes.since(new Date(upgradedAt + CHANGE_LOG_GRACE_MS + 60_000))).toBeDefined();
    // Another container finds the start the first one wrote, not its own time.
    const another = new DynamoSubscriberChanges(db, tables.subscribers, () => new Date(now));
    expect(await another.since(new Date(upgradedAt + CHANGE_LOG_GRACE_MS - 60_000))).toBeUndefined();
    // Tables this version created are trusted from the start.
    expect(
      await new DynamoSubscriberChanges(stores.db, stores.tables.subscribers).since(new Date()),
    ).toBeDefined();
  });

  it('reads a change its writer filed under tomorrow near midnight, its clock being ahead', async () => {
    const midnight = Date.UTC(2031, 0, 1);
    const readerNow = new Date(midnight - 2 * 60_000);
    // Five minutes ahead of the reader: already in the new year's partition.
    const writerNow = new Date(midnight + 3 * 60_000);
    await stores.db.send(
      new TransactWriteCommand({
        TransactItems: [
          subscriberChangeWrite(stores.tables.subscribers, { subscriberId: 'ahead' }, writerNow),
        ],
      }),
    );
    const changes = new DynamoSubscriberChanges(stores.db, stores.tables.subscribers, () => readerNow);
    const since = new Date(readerNow.getTime() - 60_000);
    expect((await changes.since(since))?.subscriberIds.has('ahead')).toBe(true);
  });

  it("reads one day's partition away from midnight: one query an invocation", async () => {
    const { db, tables } = await freshTables();
    const noon = new Date(Date.UTC(2031, 0, 1, 12));
    const changes = new DynamoSubscriberChanges(db, tables.subscribers, () => noon);
    await changes.since(new Date(noon.getTime() - 60_000)); // reads the start item once
    const requests = countRequests(db);
    await changes.since(new Date(noon.getTime() - 60_000));
    expect(requests()).toBe(1);
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

  it('writes hundreds in batches and reads them back, each key once', async () => {
    const many = Array.from({ length: 260 }, (_, n) => ({ ...delivery(n), status: 'sent' as const }));
    await stores.deliveries.recordOutcomes(many);
    await stores.deliveries.recordOutcomes([{ ...many[0]!, messageId: '<first@ses>' }]);
    const deliveries = await stores.deliveries.load([...many, many[0]!, delivery(9999)]);
    expect(deliveries.size).toBe(260);
    expect(deliveries.get(deliveryId(many[0]!))?.messageId).toBe('<first@ses>');
  });
});

describe('DynamoSendBatches', () => {
  const batch = (index: number) => ({
    incidentId: 'statuspage:p:batches',
    updateId: 'u1',
    index,
    recipients: Array.from({ length: 50 }, (_, n) => ({
      subscriberId: `sub-${index}-${n}`,
      email: `s${index}-${n}@example.com`,
      topic: 'C#p#c1',
    })),
    createdAt: new Date().toISOString(),
  });

  it('writes, reads, counts redrives on and deletes batches; never recreates a deleted one', async () => {
    const batches = Array.from({ length: 60 }, (_, index) => batch(index));
    await stores.sendBatches.putAll(batches);
    const keys = batchKeysOf('statuspage:p:batches', 'u1', 61);
    const stored = await stores.sendBatches.load(keys);
    expect(stored.size).toBe(60);
    expect(stored.get(sendBatchId(batches[7]!))).toEqual(batches[7]);

    await stores.sendBatches.redrive(batches[0]!);
    await stores.sendBatches.redrive(batches[0]!);
    expect((await stores.sendBatches.load([batches[0]!])).get(sendBatchId(batches[0]!))?.redrives).toBe(2);
    await stores.sendBatches.forgetRedrives([batches[0]!, batches[1]!]);
    expect((await stores.sendBatches.load([batches[0]!])).get(sendBatchId(batches[0]!))?.redrives).toBe(
      undefined,
    );

    await stores.sendBatches.deleteAll(batches.slice(0, 30));
    await stores.sendBatches.redrive(batches[0]!);
    await stores.sendBatches.forgetRedrives([batches[1]!]);
    expect((await stores.sendBatches.load(keys)).size).toBe(30);
  });

  it('tells the first sender to take up a batch from any later one, even once the batch is deleted', async () => {
    const batches = [batch(100), batch(101)];
    await stores.sendBatches.putAll(batches);
    expect(await stores.sendBatches.claim([batches[0]!])).toEqual(new Set([sendBatchId(batches[0]!)]));
    expect(await stores.sendBatches.claim(batches)).toEqual(new Set([sendBatchId(batches[1]!)]));
    expect(await stores.sendBatches.claim(batches)).toEqual(new Set());
    // A set-aside record of the batch can be redriven after the sweep deleted it: still claimed.
    await stores.sendBatches.deleteAll([batches[0]!]);
    expect(await stores.sendBatches.claim([batches[0]!])).toEqual(new Set());
  });
});

describe('DynamoRateLimiter', () => {
  it('allows up to the limit per window and says when to come back', async () => {
    const { db, tables } = await freshTables();
    const limiter = new DynamoRateLimiter(db, tables.subscribers, () => new Date('2026-11-23T10:59:30Z'));
    const key = `ip:${Date.now()}`;
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.hit(key, 3, 3600));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results[3]?.retryAfterSeconds).toBe(30);
    expect((await limiter.hit('ip:other', 3, 3600)).allowed).toBe(true);
  });
});

describe('DynamoSendPacer', () => {
  it('keeps concurrent senders within the rate per second together', async () => {
    const { db, tables } = await freshTables();
    const senders = [
      new DynamoSendPacer(db, tables.subscribers, 50),
      new DynamoSendPacer(db, tables.subscribers, 50),
    ];
    const deadline = Date.now() + 20_000;
    const granted = await Promise.all(
      senders.flatMap((pacer) => Array.from({ length: 15 }, () => pacer.acquire(5, deadline))),
    );
    expect(granted.every(Boolean)).toBe(true);
    const { Items = [] } = await db.send(
      new QueryCommand({
        TableName: tables.subscribers,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'SENDRATE' },
      }),
    );
    // Room taken ahead may go unused, never missing: at least what was sent, never over the rate.
    expect(Items.reduce((sum, item) => sum + Number(item.sent), 0)).toBeGreaterThanOrEqual(150);
    expect(Math.max(...Items.map((item) => Number(item.sent)))).toBeLessThanOrEqual(50);
  });

  it("takes a batch's worth of room at once, so two bulk calls cost one request", async () => {
    const { db, tables } = await freshTables();
    const requests = countRequests(db);
    const pacer = new DynamoSendPacer(db, tables.subscribers, 1000);
    const deadline = Date.now() + 5_000;
    // Within one second (a second boundary in between costs one request more).
    const second = Math.floor(Date.now() / 1000);
    expect([await pacer.acquire(50, deadline), await pacer.acquire(50, deadline)]).toEqual([true, true]);
    expect(requests()).toBe(Math.floor(Date.now() / 1000) === second ? 1 : 2);
  });

  it('gives up at the deadline instead of waiting forever', async () => {
    const { db, tables } = await freshTables();
    const pacer = new DynamoSendPacer(db, tables.subscribers, 5);
    expect(await pacer.acquire(5, Date.now() + 5_000)).toBe(true);
    expect(await pacer.acquire(5, Date.now() - 1)).toBe(false);
  });
});
