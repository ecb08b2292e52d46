import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoSubscribers } from '../../shared/adapters/dynamo/subscribers';
import { SubscriberSearch } from '../../shared/domain/admin-inputs';
import type { SubscriberRecord } from '../../shared/domain/subscriber';
import type { Topic } from '../../shared/domain/topics';
import type { SubscriberFilter } from '../../shared/ports';
import { EU_CHAT, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { seedFollowers } from '../support/followers';
import { freshStores } from '../support/local-aws';
import { subscriberRecord } from '../support/records';

const US = 'grp1produs01';
const EU = 'grp2prodeu01';
const usChat: Topic = { pageId: PAGE_ID, groupId: US, componentId: US_CHAT, key: `C#${PAGE_ID}#${US_CHAT}` };
const euRegion: Topic = { pageId: PAGE_ID, groupId: EU, key: `G#${PAGE_ID}#${EU}` };
const otherPage: Topic = { pageId: 'otherpage01', key: 'P#otherpage01' };

let stores: Awaited<ReturnType<typeof freshStores>>;
/** DynamoDB operations sent since the last `reset`, by name. */
const sent: string[] = [];

/** Every address, by what it is about: a search's expected result is a slice of these. */
const people: Array<Partial<SubscriberRecord> & { email: string }> = [
  { email: 'alice@acme.example', topics: [usChat] },
  { email: 'alison@acme.example', topics: [euRegion], status: 'unsubscribed' },
  { email: 'bob@acme.example', topics: [usChat, otherPage] },
  { email: 'carol@acme.example', topics: [euRegion] },
  { email: 'dave@acme.example', topics: [usChat], status: 'pending' },
  { email: 'ali@beta.example', topics: [euRegion] },
  { email: 'alice@beta.example', topics: [otherPage] },
  { email: 'alice@acme.example.org', topics: [usChat] },
  { email: 'bali@acme.example', topics: [usChat] },
  { email: 'acme.example@gamma.example', topics: [usChat] },
  { email: 'acme.examples@gamma.example', topics: [euRegion] },
  { email: 'smithers@gamma.example', topics: [usChat] },
  { email: 'j.smith@delta.example', topics: [euRegion] },
];
beforeAll(async () => {
  stores = await freshStores();
  countOperations(stores.client);
  for (const person of people) {
    await stores.subscribers.create(subscriberRecord({ topics: [usChat], ...person }));
  }
});

/** Every match, following cursors, `limit` at a time; and how many pages that took. */
async function searchAll(
  filter: SubscriberFilter,
  limit = 50,
  subscribers: DynamoSubscribers = stores.subscribers,
) {
  const emails: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await subscribers.search(filter, cursor, limit);
    emails.push(...page.items.map((r) => r.email));
    cursor = page.cursor;
    pages++;
  } while (cursor && pages < 100);
  return { emails, pages };
}

/** The filter as the admin API parses it (the address trimmed and lower-cased). */
const query = (params: Record<string, string>): SubscriberFilter => {
  const { cursor: _cursor, limit: _limit, ...filter } = SubscriberSearch.parse(params);
  return filter;
};

function countOperations(client: DynamoDBClient) {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'countOperationsForSearchTests' },
  );
}

async function withoutScan<T>(run: () => Promise<T>): Promise<T> {
  sent.length = 0;
  const result = await run();
  expect(sent).toContain('QueryCommand');
  expect(sent).not.toContain('ScanCommand');
  return result;
}

describe('support search by address', () => {
  it('finds one whole address, in any case, by its address item', async () => {
    const { emails, pages } = await withoutScan(() => searchAll(query({ email: ' Alice@ACME.example ' })));
    expect(emails).toEqual(['alice@acme.example']);
    expect(pages).toBe(1);
    expect((await searchAll(query({ email: 'nobody@acme.example' }))).emails).toEqual([]);
  });

  it('lists every address at a domain, in address order, with or without the @', async () => {
    const atAcme = ['alice', 'alison', 'bali', 'bob', 'carol', 'dave'].map((name) => `${name}@acme.example`);
    expect((await withoutScan(() => searchAll(query({ email: '@acme.example' })))).emails).toEqual(atAcme);
    // Without the @ it may also be the start of an address: those follow the domain's.
    expect((await withoutScan(() => searchAll(query({ email: 'acme.example' })))).emails).toEqual([
      ...atAcme,
      'acme.example@gamma.example',
      'acme.examples@gamma.example',
    ]);
    // A domain is whole: not its subdomains or longer names.
    expect((await searchAll(query({ email: '@acme.example.org' }))).emails).toEqual([
      'alice@acme.example.org',
    ]);
  });

  it('lists addresses that start with a term, in address order', async () => {
    expect((await withoutScan(() => searchAll(query({ email: 'ali' })))).emails).toEqual([
      'ali@beta.example',
      'alice@acme.example',
      'alice@acme.example.org',
      'alice@beta.example',
      'alison@acme.example',
    ]);
    expect((await withoutScan(() => searchAll(query({ email: 'ALICE@acme' })))).emails).toEqual([
      'alice@acme.example',
      'alice@acme.example.org',
    ]);
    expect((await searchAll(query({ email: 'zed' }))).emails).toEqual([]);
  });

  it('combines the address with status, page, region and component filters', async () => {
    expect(
      (await withoutScan(() => searchAll(query({ email: '@acme.example', status: 'confirmed' })))).emails,
    ).toEqual(['alice@acme.example', 'bali@acme.example', 'bob@acme.example', 'carol@acme.example']);
    expect((await searchAll(query({ email: '@acme.example', status: 'pending' }))).emails).toEqual([
      'dave@acme.example',
    ]);
    expect((await searchAll(query({ email: 'ali', groupId: EU }))).emails).toEqual([
      'ali@beta.example',
      'alison@acme.example',
    ]);
    expect((await searchAll(query({ email: 'ali', pageId: 'otherpage01' }))).emails).toEqual([
      'alice@beta.example',
    ]);
    expect(
      (await searchAll(query({ email: '@acme.example', componentId: US_CHAT, status: 'confirmed' }))).emails,
    ).toEqual(['alice@acme.example', 'bali@acme.example', 'bob@acme.example']);
    expect((await searchAll(query({ email: 'alice@acme.example', status: 'pending' }))).emails).toEqual([]);
    expect((await searchAll(query({ email: 'bob@acme.example', pageId: 'otherpage01' }))).emails).toEqual([
      'bob@acme.example',
    ]);
    expect((await searchAll(query({ email: 'ali', componentId: EU_CHAT }))).emails).toEqual([]);
  });

  it('pages through every match once with cursors, across the domain and the starts of addresses', async () => {
    const cases: Array<Record<string, string>> = [
      { email: '@acme.example' },
      { email: 'acme.example' },
      { email: 'ali' },
      { email: '@acme.example', status: 'confirmed' },
      { email: 'ali', groupId: EU },
    ];
    for (const params of cases) {
      const whole = await searchAll(query(params));
      for (const limit of [1, 2, 3]) {
        const paged = await searchAll(query(params), limit);
        expect(paged.emails, JSON.stringify({ params, limit })).toEqual(whole.emails);
        expect(paged.pages).toBeGreaterThanOrEqual(Math.ceil(whole.emails.length / limit));
      }
    }
  });

  it('finds a part anywhere with a leading *, by a bounded scan', async () => {
    expect((await searchAll(query({ email: '*smith' }))).emails.sort()).toEqual([
      'j.smith@delta.example',
      'smithers@gamma.example',
    ]);
    // No whole domain and a single character: searched without the index, still found.
    expect((await searchAll(query({ email: '@gamma' }))).emails.sort()).toEqual([
      'acme.example@gamma.example',
      'acme.examples@gamma.example',
      'smithers@gamma.example',
    ]);
    expect((await searchAll(query({ email: 'j' }))).emails).toEqual(['j.smith@delta.example']);
    const paged = await searchAll(query({ email: '*example' }), 4);
    expect(paged.emails.sort()).toEqual(people.map((p) => p.email).sort());
  });

  it('refuses a cursor the search cannot have returned', async () => {
    const domain = await stores.subscribers.search(query({ email: '@acme.example' }), undefined, 1);
    const prefix = await stores.subscribers.search(query({ email: 'ali' }), undefined, 1);
    const scan = await stores.subscribers.search({}, undefined, 1);
    const invalid = { code: 'VALIDATION', message: 'invalid cursor' };
    // Another domain, another start of an address, the scan's: each refused, never sent to DynamoDB.
    await expect(
      stores.subscribers.search(query({ email: '@beta.example' }), domain.cursor, 1),
    ).rejects.toMatchObject(invalid);
    await expect(
      stores.subscribers.search(query({ email: 'alison' }), prefix.cursor, 1),
    ).rejects.toMatchObject(invalid);
    await expect(stores.subscribers.search(query({ email: 'ali' }), scan.cursor, 1)).rejects.toMatchObject(
      invalid,
    );
    await expect(
      stores.subscribers.search(query({ email: 'alice@acme.example' }), scan.cursor, 1),
    ).rejects.toMatchObject(invalid);
    // Its own cursor goes on.
    expect((await stores.subscribers.search(query({ email: 'ali' }), prefix.cursor, 1)).items).toHaveLength(
      1,
    );
  });

  it('finds an erased subscriber by no search', async () => {
    const record = subscriberRecord({ email: 'erin.erased@epsilon.example', topics: [usChat] });
    await stores.subscribers.create(record);
    const searches = [
      'erin.erased@epsilon.example',
      '@epsilon.example',
      'epsilon.example',
      'erin',
      '*erased',
      'e',
    ];
    for (const email of searches) expect((await searchAll(query({ email }))).emails).toContain(record.email);
    await stores.subscribers.erase(record.id);
    for (const email of searches) {
      expect((await searchAll(query({ email }))).emails, email).not.toContain(record.email);
    }
    expect((await searchAll({})).emails).not.toContain(record.email);
  });

  it('finds a changed subscriber by what it follows now, and followers seeded for tests', async () => {
    const record = subscriberRecord({ email: 'fred@zeta.example', topics: [usChat] });
    await stores.subscribers.create(record);
    await stores.subscribers.save({ ...record, topics: [euRegion], status: 'unsubscribed' }, record);
    expect((await searchAll(query({ email: 'fred', groupId: US }))).emails).toEqual([]);
    expect((await searchAll(query({ email: 'fred', groupId: EU, status: 'unsubscribed' }))).emails).toEqual([
      record.email,
    ]);

    await seedFollowers(stores.db, stores.tables.subscribers, {
      pageId: PAGE_ID,
      componentId: US_CHAT,
      count: 3,
      label: 'seeded',
    });
    expect((await withoutScan(() => searchAll(query({ email: 'seeded-' })))).emails).toEqual([
      'seeded-0@example.com',
      'seeded-1@example.com',
      'seeded-2@example.com',
    ]);
    expect((await searchAll(query({ email: 'seeded-1@example.com' }))).emails).toEqual([
      'seeded-1@example.com',
    ]);
  });

  it('finds someone following only an incident by its page', async () => {
    const incidentId = 'statuspage:otherpage02:inc7';
    const record = subscriberRecord({
      email: 'gina@eta.example',
      topics: [],
      follows: [{ incidentId, pageId: 'otherpage02', name: 'Chat down', key: `I#${incidentId}` }],
    });
    await stores.subscribers.create(record);
    for (const email of ['gina@eta.example', '@eta.example', 'gin']) {
      expect((await searchAll(query({ email, pageId: 'otherpage02' }))).emails).toEqual([record.email]);
    }
    expect((await searchAll(query({ pageId: 'otherpage02' }))).emails).toEqual([record.email]);
  });
});
