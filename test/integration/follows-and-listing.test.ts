import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CatalogImport } from '../../shared/domain/catalog-import';
import { StatuspageWebhook } from '../../shared/domain/statuspage';
import { followKey } from '../../shared/domain/subscriber';
import { systemClock } from '../../shared/ports';
import { importPageComponents } from '../../shared/usecases/catalog';
import { fanOut } from '../../shared/usecases/fan-out';
import { ingestStatuspageWebhook } from '../../shared/usecases/ingest-statuspage';
import componentsJson from '../fixtures/components.json';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID } from '../fixtures/seeds';
import { freshStores, uniqueEmail } from '../support/local-aws';
import { incidentRecord, subscriberRecord } from '../support/records';

// Edges of follows and of the incident listing, against DynamoDB Local.
let stores: Awaited<ReturnType<typeof freshStores>>;

beforeAll(async () => {
  stores = await freshStores();
  await importPageComponents(stores, PAGE_ID, CatalogImport.parse(componentsJson));
});

describe('an incident’s own followers', () => {
  it('are left out once their follow has ended, though its items linger until TTL removes them', async () => {
    const seed = { ...chatMessagesMayFail, id: `e${randomUUID().slice(0, 10)}` };
    const incidentId = `statuspage:${PAGE_ID}:${seed.id}`;
    const follow = (endsAt: string) => ({
      incidentId,
      pageId: PAGE_ID,
      name: seed.name,
      key: followKey(incidentId),
      endsAt,
    });
    const ended = subscriberRecord({
      email: uniqueEmail('ended'),
      follows: [follow('2020-01-01T00:00:00.000Z')],
    });
    const current = subscriberRecord({
      email: uniqueEmail('current'),
      follows: [follow('2999-01-01T00:00:00.000Z')],
    });
    await stores.subscribers.create(ended);
    await stores.subscribers.create(current);
    expect((await stores.subscribers.get(ended.id))?.follows).toBeUndefined();
    expect(await stores.subscribers.followersOf(incidentId)).toHaveLength(2);

    const result = await ingestStatuspageWebhook(stores, StatuspageWebhook.parse(incidentWebhook(seed, 1)));
    if (result.kind !== 'incident') throw new Error('expected an incident');
    const { batches } = await fanOut(
      { ...stores, clock: systemClock },
      { incidentId, updateId: result.notifying[0]! },
    );
    const written = await stores.sendBatches.load(
      Array.from({ length: batches }, (_, index) => ({ incidentId, updateId: result.notifying[0]!, index })),
    );
    const recipients = [...written.values()].flatMap((b) => b.recipients.map((r) => r.subscriberId));
    expect(recipients).toContain(current.id);
    expect(recipients).not.toContain(ended.id);

    // Erasure takes the lingering item too: it carries the address.
    await stores.subscribers.erase(ended.id);
    expect(await stores.subscribers.followersOf(incidentId)).toEqual([current.id]);
  });
});

describe('a page’s incidents by status', () => {
  it('answers a cursor where its reads stopped, even with nothing found yet', async () => {
    const pageId = `lp${randomUUID().slice(0, 6)}`;
    const at = (n: number) => new Date(Date.UTC(2030, 0, 1, 0, n)).toISOString();
    const open = incidentRecord({
      incidentId: `api:${pageId}:open`,
      pageId,
      status: 'investigating',
      createdAt: at(0),
    });
    await stores.incidents.save(open);
    for (let n = 1; n <= 120; n++) {
      await stores.incidents.save(
        incidentRecord({ incidentId: `api:${pageId}:r${n}`, pageId, status: 'resolved', createdAt: at(n) }),
      );
    }
    const first = await stores.incidents.listByPage(pageId, { status: 'open', limit: 5, maxReads: 1 });
    expect(first.items).toEqual([]);
    expect(first.cursor).toBeDefined();
    const second = await stores.incidents.listByPage(pageId, {
      status: 'open',
      limit: 5,
      maxReads: 1,
      ...(first.cursor ? { cursor: first.cursor } : {}),
    });
    expect(second.items.map((i) => i.incidentId)).toEqual([open.incidentId]);
    expect(second.cursor).toBeUndefined();
  });
});
