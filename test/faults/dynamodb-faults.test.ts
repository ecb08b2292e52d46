import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack';
import { DynamoSubscribers } from '../../shared/adapters/dynamo/subscribers';
import { type Fault, type FaultProxy, startFaultProxy } from '../support/fault-proxy';
import { faultScenario } from '../support/fault-stack';
import { runSeed, seededRandom } from '../support/random';
import { startTestStack } from '../support/stack';

/**
 * DynamoDB on a bad day, through a proxy in front of DynamoDB Local: every function's requests (not the
 * stream reads, which are Lambda's own) are throttled now and then, and batch calls come back with items
 * and keys unprocessed, as a table that has not yet scaled to a burst answers. Nothing may be dropped or
 * doubled.
 */
let stack: LocalStack;
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startFaultProxy(inject('dynamodbEndpoint'));
  stack = await startTestStack('df', { dynamodb: { endpoint: proxy.url } });
});

afterAll(async () => {
  await stack?.stop();
  await proxy?.stop();
});

const throttled = (type: string): Fault => ({
  kind: 'error',
  status: 400,
  type: `com.amazonaws.dynamodb.v20120810#${type}`,
  message: 'The level of configured provisioned throughput for the table was exceeded.',
});

/** Writes the first half of each table's requests and hands the rest back as UnprocessedItems. */
const halfOfTheWrites = (): Fault => {
  const leftOver: Record<string, unknown[]> = {};
  return {
    kind: 'rewrite',
    request: (body) => {
      const items: Record<string, unknown[]> = {};
      for (const [table, requests] of Object.entries(body.RequestItems as Record<string, unknown[]>)) {
        const half = Math.ceil(requests.length / 2);
        items[table] = requests.slice(0, half);
        if (requests.length > half) leftOver[table] = requests.slice(half);
      }
      return { ...body, RequestItems: items };
    },
    response: (body) => ({ ...body, UnprocessedItems: { ...body.UnprocessedItems, ...leftOver } }),
  };
};

/** Reads the first half of each table's keys and hands the rest back as UnprocessedKeys. */
const halfOfTheReads = (): Fault => {
  const leftOver: Record<string, Record<string, unknown>> = {};
  return {
    kind: 'rewrite',
    request: (body) => {
      const tables: Record<string, Record<string, unknown>> = {};
      for (const [table, read] of Object.entries(body.RequestItems as Record<string, { Keys: unknown[] }>)) {
        const half = Math.ceil(read.Keys.length / 2);
        tables[table] = { ...read, Keys: read.Keys.slice(0, half) };
        if (read.Keys.length > half) leftOver[table] = { ...read, Keys: read.Keys.slice(half) };
      }
      return { ...body, RequestItems: tables };
    },
    response: (body) => ({ ...body, UnprocessedKeys: { ...body.UnprocessedKeys, ...leftOver } }),
  };
};

describe('DynamoDB faults', () => {
  it('retries throttled requests and unprocessed batch items: every mail once', {
    timeout: 120_000,
  }, async () => {
    const scenario = faultScenario(stack);
    const emails = await scenario.followers(300, 'dynamo');
    // Ten of them chose a time zone just now: the change log names them, and the sender reads their
    // profiles (a batch read, where the faults below also land) rather than trusting the fan-out's list.
    const subscribers = new DynamoSubscribers(scenario.db, stack.tables.subscribers);
    for (const email of emails.slice(0, 10)) {
      const record = await subscribers.findByEmail(email);
      if (!record) throw new Error(`${email} was not seeded`);
      await subscribers.save({ ...record, timeZone: 'Europe/Zurich' }, record);
    }
    const seed = runSeed();
    const random = seededRandom(seed);
    const injected: Record<string, number> = {};
    const count = (kind: string, fault: Fault) => {
      injected[kind] = (injected[kind] ?? 0) + 1;
      return fault;
    };
    proxy.decide = (request) => {
      // Stream reads are Lambda's, not the functions': they are left alone.
      if (!request.target.startsWith('DynamoDB_20120810.')) return { kind: 'forward' };
      const operation = request.target.split('.')[1] ?? '';
      // Each kind at its first chance, so that every run meets all four however few requests it makes;
      // then at random.
      const first = (kind: string) => !(kind in injected);
      if (first('ProvisionedThroughputExceeded'))
        return count('ProvisionedThroughputExceeded', throttled('ProvisionedThroughputExceededException'));
      if (first('Throttling')) return count('Throttling', throttled('ThrottlingException'));
      if (operation === 'BatchWriteItem' && first('unprocessed items'))
        return count('unprocessed items', halfOfTheWrites());
      if (operation === 'BatchGetItem' && first('unprocessed keys'))
        return count('unprocessed keys', halfOfTheReads());
      const roll = random();
      if (roll < 0.1)
        return count('ProvisionedThroughputExceeded', throttled('ProvisionedThroughputExceededException'));
      if (roll < 0.15) return count('Throttling', throttled('ThrottlingException'));
      if (roll < 0.45 && operation === 'BatchWriteItem') return count('unprocessed items', halfOfTheWrites());
      if (roll < 0.45 && operation === 'BatchGetItem') return count('unprocessed keys', halfOfTheReads());
      return { kind: 'forward' };
    };

    // Statuspage retries a webhook that did not get a 2xx; so does this test.
    let status = 0;
    for (let attempt = 0; attempt < 3 && !(status >= 200 && status < 300); attempt++)
      status = (await scenario.postIncident()).status;
    expect(status).toBeLessThan(300);
    await stack.waitForIdle(90_000);
    proxy.decide = () => ({ kind: 'forward' });

    console.log(`DynamoDB faults (seed ${seed}): ${JSON.stringify(injected)}`);
    expect(Object.keys(injected).sort()).toEqual([
      'ProvisionedThroughputExceeded',
      'Throttling',
      'unprocessed items',
      'unprocessed keys',
    ]);
    expect(new Set(await scenario.mailsPerAddress(emails))).toEqual(new Set([1]));
    expect((await scenario.deliveryStatuses(emails)).counts).toEqual({ sent: 300 });
    expect(stack.pollers.fanout?.failures).toEqual([]);
    expect(stack.pollers.sender?.failures).toEqual([]);
  });
});
