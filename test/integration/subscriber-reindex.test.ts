import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshStores } from '../support/local-aws';
import { subscriberRecord } from '../support/records';

// Subscribers stored before the address index existed: the one-time pass files them into it.
let stores: Awaited<ReturnType<typeof freshStores>>;

beforeAll(async () => {
  stores = await freshStores();
});

/** What an earlier version wrote: no index key on the profile, no address or searched fields on the address item. */
async function unindex(id: string, email: string) {
  await stores.db.send(
    new UpdateCommand({
      TableName: stores.tables.subscribers,
      Key: { pk: id, sk: 'PROFILE' },
      UpdateExpression: 'REMOVE addressKey',
    }),
  );
  await stores.db.send(
    new UpdateCommand({
      TableName: stores.tables.subscribers,
      Key: { pk: `EMAIL#${email}`, sk: 'EMAIL' },
      UpdateExpression: 'REMOVE addressKey, email, #status, pageIds, groupIds, componentIds',
      ExpressionAttributeNames: { '#status': 'status' },
    }),
  );
}

describe('reindex', () => {
  it('files older subscribers into the address index, page by page, and leaves indexed ones alone', async () => {
    const older = Array.from({ length: 7 }, (_, n) =>
      subscriberRecord({ email: `older${n}@reindex.example`, topics: [] }),
    );
    const current = subscriberRecord({ email: 'current@reindex.example', topics: [] });
    for (const record of [...older, current]) await stores.subscribers.create(record);
    for (const record of older) await unindex(record.id, record.email);

    const domain = () => stores.subscribers.search({ email: '@reindex.example' }, undefined, 50);
    const prefix = () => stores.subscribers.search({ email: 'older' }, undefined, 50);
    expect((await domain()).items.map((r) => r.email)).toEqual(['current@reindex.example']);
    expect((await prefix()).items).toEqual([]);

    let totals = { scanned: 0, reindexed: 0 };
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await stores.subscribers.reindex(cursor, 3);
      totals = { scanned: totals.scanned + page.scanned, reindexed: totals.reindexed + page.reindexed };
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 100);
    expect(totals.reindexed).toBe(7);

    expect((await domain()).items).toHaveLength(8);
    expect((await prefix()).items.map((r) => r.email).sort()).toEqual(older.map((r) => r.email).sort());
    // A second pass finds nothing left to file.
    expect((await stores.subscribers.reindex(undefined, 1000)).reindexed).toBe(0);
  });
});
