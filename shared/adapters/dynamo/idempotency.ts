import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from '../../domain/zod';
import type { IdempotencyRecord, IdempotencyRecords, KeptResponse } from '../../ports';
import { isConditionFailure } from './expressions';

const SK = 'IDEMPOTENCY';
/** How long a retry is answered from the record: a day, as clients retry for hours at most. */
const KEEP_SECONDS = 24 * 3600;

const StoredRecord = z.object({
  fingerprint: z.string(),
  response: z.optional(
    z.object({ statusCode: z.number(), headers: z.record(z.string(), z.string()), body: z.string() }),
  ),
});

/**
 * Idempotency records in the subscribers table, beside the other admin records: `pk` `IDEMPOTENCY#<id>`
 * (the id is a hash of the caller and the key, so the partition spreads), expiring after a day.
 */
export class DynamoIdempotencyRecords implements IdempotencyRecords {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async claim(
    id: string,
    fingerprint: string,
    staleAfterSeconds: number,
  ): Promise<{ claimed: true } | { claimed: false; record: IdempotencyRecord }> {
    // Twice at most: a record that expired or was released between the put and the read is claimed anew.
    for (let attempt = 0; ; attempt++) {
      if (await this.put(id, fingerprint, staleAfterSeconds)) return { claimed: true };
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: `IDEMPOTENCY#${id}`, sk: SK },
          ConsistentRead: true,
        }),
      );
      if (Item || attempt > 0) return { claimed: false, record: StoredRecord.parse(Item ?? { fingerprint }) };
    }
  }

  private async put(id: string, fingerprint: string, staleAfterSeconds: number): Promise<boolean> {
    const now = Math.floor(this.now().getTime() / 1000);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `IDEMPOTENCY#${id}`,
            sk: SK,
            fingerprint,
            claimedAt: now,
            expiresAt: now + KEEP_SECONDS,
          },
          // Free, expired (TTL deletes within days, not at once), or claimed by a request that died.
          ConditionExpression:
            'attribute_not_exists(pk) OR expiresAt < :now OR (attribute_not_exists(#response) AND claimedAt < :stale)',
          ExpressionAttributeNames: { '#response': 'response' },
          ExpressionAttributeValues: { ':stale': now - staleAfterSeconds, ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async complete(id: string, fingerprint: string, response: KeptResponse): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `IDEMPOTENCY#${id}`, sk: SK },
        UpdateExpression: 'SET #response = :response',
        // Only onto its own claim: one released meanwhile must not come back as a record without an expiry.
        ConditionExpression: 'fingerprint = :fingerprint',
        ExpressionAttributeNames: { '#response': 'response' },
        ExpressionAttributeValues: { ':response': response, ':fingerprint': fingerprint },
      }),
    );
  }

  async release(id: string): Promise<void> {
    await this.client
      .send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: `IDEMPOTENCY#${id}`, sk: SK },
          ConditionExpression: 'attribute_not_exists(#response)',
          ExpressionAttributeNames: { '#response': 'response' },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }
}
