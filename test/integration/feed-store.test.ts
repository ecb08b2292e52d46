import { beforeAll, describe, expect, it } from 'vitest';
import type { Incident, IncidentUpdate } from '../../shared/domain/incident';
import { pageFeed } from '../../shared/usecases/feeds';
import { freshStores } from '../support/local-aws';

// The feeds' reads on DynamoDB Local: the sparse index of a page's notified updates, and maintenances.
let stores: Awaited<ReturnType<typeof freshStores>>;
beforeAll(async () => {
  stores = await freshStores();
});

const incident = (id: string, pageId: string, extra: Partial<Incident> = {}): Incident => ({
  incidentId: `api:${pageId}:${id}`,
  source: 'api',
  upstreamId: id,
  pageId,
  name: `Incident ${id}`,
  status: 'investigating',
  impact: 'minor',
  componentIds: [],
  subject: `Incident ${id}`,
  createdAt: '2026-11-01T00:00:00Z',
  updatedAt: '2026-11-01T00:00:00Z',
  ...extra,
});

const update = (
  incidentId: string,
  updateId: string,
  displayAt: string,
  extra: Partial<IncidentUpdate> = {},
) =>
  ({
    incidentId,
    updateId,
    kind: 'update',
    status: 'investigating',
    body: `Text of ${updateId}`,
    displayAt,
    affectedComponentIds: [],
    notify: true,
    ...extra,
  }) satisfies IncidentUpdate;

describe('feed reads', () => {
  it('lists a page’s notified updates newest first, without reminders, silent updates or other pages', async () => {
    const a = incident('a', 'feedpage');
    const b = incident('b', 'feedpage', { componentIds: ['c1'] });
    const other = incident('c', 'otherpage');
    for (const i of [a, b, other]) await stores.incidents.save(i);
    // Every component any webhook named: a later save that names another adds it, a late one too.
    const later = { ...b, componentIds: ['c2'], updatedAt: '2026-11-01T01:00:00Z' };
    expect(await stores.incidents.save(later)).toEqual(['c1', 'c2']);
    expect(await stores.incidents.save({ ...b, componentIds: ['c0'] })).toEqual(['c0', 'c1', 'c2']);
    expect(await stores.incidents.save({ ...b, componentIds: [] })).toEqual(['c0', 'c1', 'c2']);
    await stores.incidents.addUpdate(update(a.incidentId, 'u1', '2026-11-01T10:00:00Z'), a);
    await stores.incidents.addUpdate(update(b.incidentId, 'u1', '2026-11-01T11:00:00Z'), {
      componentIds: ['c1', 'c2'],
    });
    await stores.incidents.addUpdate(update(a.incidentId, 'u2', '2026-11-01T12:00:00Z'), a);
    await stores.incidents.addUpdate(
      update(a.incidentId, 'quiet', '2026-11-01T13:00:00Z', { notify: false }),
      a,
    );
    await stores.incidents.addUpdate(
      update(a.incidentId, 'reminder-1', '2026-11-01T14:00:00Z', { kind: 'reminder' }),
      a,
    );
    await stores.incidents.addUpdate(update(other.incidentId, 'u1', '2026-11-01T15:00:00Z'), other);

    const first = await stores.incidents.feedUpdateRefs('feedpage', { limit: 2 });
    expect(first.items).toEqual([
      { incidentId: a.incidentId, updateId: 'u2', componentIds: [] },
      { incidentId: b.incidentId, updateId: 'u1', componentIds: ['c1', 'c2'] },
    ]);
    const rest = await stores.incidents.feedUpdateRefs('feedpage', { limit: 2, cursor: first.cursor });
    expect(rest.items).toEqual([{ incidentId: a.incidentId, updateId: 'u1', componentIds: [] }]);

    const updates = await stores.incidents.getUpdates([...first.items, ...rest.items]);
    expect(updates.get(`${a.incidentId}#u2`)?.body).toBe('Text of u2');
    expect(updates.size).toBe(3);
    const incidents = await stores.incidents.getMany([a.incidentId, b.incidentId, 'api:feedpage:none']);
    expect([...incidents.keys()].sort()).toEqual([a.incidentId, b.incidentId]);
  });

  it('keeps an update at every size limit, without the components it has no room for', async () => {
    const big = incident('big', 'bigpage');
    await stores.incidents.save(big);
    const componentIds = Array.from({ length: 1_000 }, (_, i) => `c${String(i).padStart(99, '0')}`);
    const body = '😀'.repeat(60_000);
    const stored = await stores.incidents.addUpdate(
      update(big.incidentId, 'u1', '2026-11-01T10:00:00Z', { body, affectedComponentIds: componentIds }),
      { componentIds },
    );
    expect(stored).toBe(true);
    const refs = await stores.incidents.feedUpdateRefs('bigpage', { limit: 5 });
    expect(refs.items).toEqual([{ incidentId: big.incidentId, updateId: 'u1' }]);

    // A feed then matches it by its incident as stored: it names none of the page's components, so it
    // is in every feed of the page.
    await stores.catalog.replacePage({
      page: { pageId: 'bigpage', name: 'Big' },
      groups: [{ pageId: 'bigpage', groupId: 'g', name: 'G' }],
      components: [{ pageId: 'bigpage', componentId: 'k', name: 'K', groupId: 'g' }],
    });
    const deps = {
      ...stores,
      config: { publicBaseUrl: 'https://status.example.com', domain: 'example.com' },
    };
    const narrowed = await pageFeed(deps, {
      pageId: 'bigpage',
      format: 'json',
      narrowing: { regions: ['g'], components: [] },
    });
    const items = JSON.parse(narrowed.body).items as Array<{ id: string; content_text: string }>;
    expect(items.map((item) => item.id)).toEqual(['tag:example.com,2026:api%3Abigpage%3Abig/u1']);
    expect(items[0]?.content_text.length).toBeLessThan(10_000);
  });

  it('lists a page’s maintenances with a window, newest first', async () => {
    await stores.incidents.save(incident('plain', 'mntpage'));
    await stores.incidents.save(
      incident('m1', 'mntpage', {
        scheduledFor: '2026-12-20T02:00:00Z',
        scheduledUntil: '2026-12-20T04:00:00Z',
        createdAt: '2026-11-02T00:00:00Z',
      }),
    );
    await stores.incidents.save(
      incident('m2', 'mntpage', {
        scheduledFor: '2026-12-21T02:00:00Z',
        scheduledUntil: '2026-12-21T04:00:00Z',
        createdAt: '2026-11-03T00:00:00Z',
      }),
    );
    const found = await stores.incidents.maintenances('mntpage', 50);
    expect(found.map((m) => m.upstreamId)).toEqual(['m2', 'm1']);
    expect(await stores.incidents.maintenances('mntpage', 1)).toHaveLength(1);
  });
});
