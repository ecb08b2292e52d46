import { beforeAll, describe, expect, it } from 'vitest';
import type { Topic } from '../../shared/domain/topics';
import { PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { freshStores } from '../support/local-aws';
import { subscriberRecord } from '../support/records';

const usChat: Topic = { pageId: PAGE_ID, componentId: US_CHAT, key: `C#${PAGE_ID}#${US_CHAT}` };
const region = (n: number): Topic => ({ pageId: PAGE_ID, groupId: `grp${n}`, key: `G#${PAGE_ID}#grp${n}` });

let stores: Awaited<ReturnType<typeof freshStores>>;
const sent: string[] = [];

beforeAll(async () => {
  stores = await freshStores();
  stores.client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'countOperationsForBulkTests' },
  );
});

describe('bulk writes and reads of subscribers (the CSV import)', () => {
  it('creates many subscribers in a few transactions, each findable', async () => {
    const records = Array.from({ length: 60 }, (_, n) =>
      subscriberRecord({ email: `bulk-${String(n).padStart(2, '0')}@bulk.example`, topics: [usChat] }),
    );
    sent.length = 0;
    expect(await stores.subscribers.createMany(records)).toEqual(new Map());
    // Three writes each (address, profile, topic): 33 to a transaction.
    expect(sent.filter((name) => name === 'TransactWriteItemsCommand')).toHaveLength(2);

    const found = await stores.subscribers.findManyByEmail([
      ...records.map((r) => r.email),
      'unknown@bulk.example',
    ]);
    expect([...found.keys()].sort()).toEqual(records.map((r) => r.email));
    expect(found.get('bulk-07@bulk.example')).toEqual(records[7]);
    const page = await stores.subscribers.search({ email: '@bulk.example' }, undefined, 100);
    expect(page.items.map((r) => r.email)).toEqual(records.map((r) => r.email));
  });

  it('fails only the subscriber whose address is taken; the rest of its transaction is written', async () => {
    const taken = subscriberRecord({ email: 'taken@bulk2.example', topics: [usChat] });
    await stores.subscribers.create(taken);
    const records = [
      subscriberRecord({ email: 'first@bulk2.example', topics: [usChat, region(1)] }),
      subscriberRecord({ email: taken.email, topics: [usChat] }),
      subscriberRecord({
        email: 'last@bulk2.example',
        topics: Array.from({ length: 40 }, (_, n) => region(n)),
      }),
    ];
    const failures = await stores.subscribers.createMany(records);
    expect([...failures.keys()]).toEqual([records[1]!.id]);
    expect(failures.get(records[1]!.id)).toMatchObject({ code: 'CONFLICT' });
    expect((await stores.subscribers.findByEmail(taken.email))?.id).toBe(taken.id);
    expect((await stores.subscribers.get(records[2]!.id))?.topics).toHaveLength(40);
    const listed = await stores.subscribers.search({ email: '@bulk2.example' }, undefined, 10);
    expect(listed.items.map((r) => r.id)).toEqual([records[0]!.id, records[2]!.id, taken.id]);
  });
});
