import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { StreamSource } from '../../infra/functions';
import { LOCAL_REGION, localCredentials } from '../../infra/local/aws-local';
import { StreamPoller } from '../../infra/local/stream-poller';
import { freshTables } from '../support/local-aws';

const source: StreamSource = {
  table: 'deliveries',
  batchSize: 4,
  parallelization: 1,
  maxRetryAttempts: 2,
  bisectOnError: true,
  filter: { eventNames: ['INSERT'], anyOf: [[{ attribute: 'kind', type: 'S', equals: 'delivery' }]] },
};
const pollers: StreamPoller[] = [];
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});

/**
 * Writes items 0..count-1 (plus one that the filter drops) and polls them into `handler`. Items are their
 * own partitions, or `partitions` partitions of several items each.
 */
async function run(
  count: number,
  handler: (ids: string[]) => Promise<DynamoDBBatchResponse>,
  options: { partitions?: number; source?: Partial<StreamSource> } = {},
) {
  const { client, db, tables } = await freshTables();
  for (let n = 0; n < count; n++) {
    const key = options.partitions
      ? { pk: `partition-${n % options.partitions}`, sk: `item-${n}` }
      : { pk: `item-${n}`, sk: 'x' };
    await db.send(new PutCommand({ TableName: tables.deliveries, Item: { ...key, kind: 'delivery' } }));
  }
  await db.send(
    new PutCommand({ TableName: tables.deliveries, Item: { pk: 'thread', sk: 'x', kind: 'thread' } }),
  );
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tables.deliveries }));
  const failureLog = join(mkdtempSync(join(tmpdir(), 'poller-')), 'failed.jsonl');
  const poller = new StreamPoller({
    functionName: 'test',
    streamArn: Table!.LatestStreamArn!,
    source: { ...source, ...options.source },
    client: new DynamoDBStreamsClient({
      endpoint: inject('dynamodbEndpoint'),
      region: LOCAL_REGION,
      credentials: localCredentials,
    }),
    timeoutSeconds: 10,
    failureLog,
    pollIntervalMs: 20,
    handler: async (event: { Records: Array<{ dynamodb: { NewImage: any; SequenceNumber: string } }> }) => {
      const ids = event.Records.map((r) => {
        const item = unmarshall(r.dynamodb.NewImage);
        return options.partitions ? `${item.pk}/${item.sk}` : String(item.pk);
      });
      const result = await handler(ids);
      // Map item ids the test names back to sequence numbers, as a real handler reports them.
      const bySeq = new Map(event.Records.map((r, i) => [ids[i], r.dynamodb.SequenceNumber]));
      return {
        batchItemFailures: result.batchItemFailures.map((f) => ({
          itemIdentifier: bySeq.get(f.itemIdentifier) ?? f.itemIdentifier,
        })),
      };
    },
  });
  pollers.push(poller);
  await poller.start();
  // Idle on several checks in a row: every shard read to its end, nothing buffered or in flight.
  const deadline = Date.now() + 20_000;
  for (let quiet = 0; quiet < 4; quiet = poller.idle ? quiet + 1 : 0) {
    if (Date.now() > deadline) throw new Error('poller never went idle');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { poller, failureLog };
}

describe('StreamPoller (Lambda event-source semantics)', () => {
  it('delivers filtered records in batches of at most batchSize, in order', async () => {
    const batches: string[][] = [];
    await run(10, async (ids) => {
      batches.push(ids);
      return { batchItemFailures: [] };
    });
    expect(batches.flat()).toEqual(Array.from({ length: 10 }, (_, n) => `item-${n}`));
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(4);
  });

  it('resumes from the lowest failed record of a partial batch response', async () => {
    const seen: string[] = [];
    let failedOnce = false;
    await run(4, async (ids) => {
      seen.push(...ids);
      if (!failedOnce && ids.includes('item-2')) {
        failedOnce = true;
        return { batchItemFailures: [{ itemIdentifier: 'item-2' }] };
      }
      return { batchItemFailures: [] };
    });
    expect(seen).toEqual(['item-0', 'item-1', 'item-2', 'item-3', 'item-2', 'item-3']);
  });

  it('bisects a failing batch, sets a poison record aside for redrive after bounded retries, and moves on', async () => {
    const processed = new Set<string>();
    const { poller, failureLog } = await run(8, async (ids) => {
      if (ids.includes('item-5')) throw new Error('poison');
      for (const id of ids) processed.add(id);
      return { batchItemFailures: [] };
    });
    expect(poller.failures.map((f) => f.records.length)).toEqual([1]);
    expect(poller.failures[0]).toMatchObject({ error: 'poison', attempts: 3 });
    expect([...processed].sort()).toEqual([
      'item-0',
      'item-1',
      'item-2',
      'item-3',
      'item-4',
      'item-6',
      'item-7',
    ]);
    const logged = readFileSync(failureLog, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(logged).toHaveLength(1);
    expect(unmarshall(logged[0].records[0].dynamodb.NewImage).pk).toBe('item-5');
  });

  it('with a parallelization, handles batches of different partitions at once, each partition in order', async () => {
    const inFlight = new Set<string>();
    let most = 0;
    const seen: string[] = [];
    await run(
      40,
      async (ids) => {
        const partitions = new Set(ids.map((id) => id.split('/')[0] ?? ''));
        // Lambda's promise: one batch at a time per partition key, whatever the parallelization.
        for (const partition of partitions) {
          expect(inFlight.has(partition)).toBe(false);
          inFlight.add(partition);
        }
        most = Math.max(most, inFlight.size);
        await new Promise((resolve) => setTimeout(resolve, 30));
        seen.push(...ids);
        for (const partition of partitions) inFlight.delete(partition);
        return { batchItemFailures: [] };
      },
      { partitions: 8, source: { parallelization: 4 } },
    );
    expect(seen).toHaveLength(40);
    expect(most).toBeGreaterThan(1);
    for (let p = 0; p < 8; p++) {
      const order = seen
        .filter((id) => id.startsWith(`partition-${p}/`))
        .map((id) => Number(id.split('-')[2]));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });
});
