import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoIdempotencyRecords } from '../../shared/adapters/dynamo/idempotency';
import { freshTables } from '../support/local-aws';

let now = new Date('2026-11-24T10:00:00Z');
let records: DynamoIdempotencyRecords;

beforeAll(async () => {
  const { db, tables } = await freshTables();
  records = new DynamoIdempotencyRecords(db, tables.subscribers, () => now);
});

describe('idempotency records', () => {
  it('let one request hold a key, answer retries from its record, and free the key when it fails', async () => {
    expect(await records.claim('k1', 'print-a', 60)).toEqual({ claimed: true });
    // Concurrent retries while it runs see the claim, not a response.
    const during = await Promise.all([
      records.claim('k1', 'print-a', 60),
      records.claim('k1', 'print-b', 60),
    ]);
    expect(during).toEqual([
      { claimed: false, record: { fingerprint: 'print-a' } },
      { claimed: false, record: { fingerprint: 'print-a' } },
    ]);
    const response = {
      statusCode: 202,
      headers: { 'content-type': 'application/json' },
      body: '{"ok":true}',
    };
    await records.complete('k1', 'print-a', response);
    expect(await records.claim('k1', 'print-a', 60)).toEqual({
      claimed: false,
      record: { fingerprint: 'print-a', response },
    });
    // A finished request's record is never released, nor claimed again however old.
    await records.release('k1');
    now = new Date(now.getTime() + 3600_000);
    expect((await records.claim('k1', 'print-a', 60)).claimed).toBe(false);

    expect(await records.claim('k2', 'print-c', 60)).toEqual({ claimed: true });
    await records.release('k2');
    expect(await records.claim('k2', 'print-c', 60)).toEqual({ claimed: true });
  });

  it('let a claim whose function died be taken again once it is stale', async () => {
    expect(await records.claim('k3', 'print-d', 60)).toEqual({ claimed: true });
    now = new Date(now.getTime() + 30_000);
    expect((await records.claim('k3', 'print-d', 60)).claimed).toBe(false);
    now = new Date(now.getTime() + 31_000);
    expect(await records.claim('k3', 'print-d', 60)).toEqual({ claimed: true });
  });
});
