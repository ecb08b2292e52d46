import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from '../../domain/zod';
import type { Suppression, Suppressions } from '../../ports';
import { batchGetAll } from './batch';
import { decodeCursor, encodeCursor } from './cursor';
import { subscriberChangeWrite } from './subscriber-changes';

const PARTITION = 'SUPPRESSIONS';
const SuppressionItem = z.object({
  email: z.string(),
  reason: z.string(),
  createdAt: z.string(),
  source: z.string(),
});

/** Suppressions live in one partition of the subscribers table, keyed by address: one read per 100 recipients. */
export class DynamoSuppressions implements Suppressions {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(suppression: Suppression): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { pk: PARTITION, sk: suppression.email, ...suppression },
            },
          },
          subscriberChangeWrite(this.tableName, { email: suppression.email }),
        ],
      }),
    );
  }

  async remove(email: string): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: { pk: PARTITION, sk: email },
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            subscriberChangeWrite(this.tableName, { email }),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'TransactionCanceledException') {
        if (/ConditionalCheckFailed/.test(error.message)) return false;
      }
      throw error;
    }
  }

  async get(email: string): Promise<Suppression | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: PARTITION, sk: email }, ConsistentRead: true }),
    );
    return Item ? SuppressionItem.parse(Item) : undefined;
  }

  async list(cursor: string | undefined, limit: number) {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': PARTITION },
        ExclusiveStartKey: decodeCursor(cursor, {
          keys: ['pk', 'sk'],
          partition: { name: 'pk', value: PARTITION },
        }),
        Limit: limit,
      }),
    );
    return {
      items: (page.Items ?? []).map((item) => SuppressionItem.parse(item)),
      ...(page.LastEvaluatedKey ? { cursor: encodeCursor(page.LastEvaluatedKey) } : {}),
    };
  }

  async all(max: number): Promise<Set<string> | undefined> {
    const emails = new Set<string>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': PARTITION },
          ProjectionExpression: 'sk',
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) emails.add(String(item.sk));
      if (emails.size > max) return undefined;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return emails;
  }

  async suppressed(emails: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(emails.filter(Boolean))];
    if (unique.length === 0) return new Set();
    const items = await batchGetAll(
      this.client,
      this.tableName,
      unique.map((email) => ({ pk: PARTITION, sk: email })),
      // Consistent: an address is asked about because it was suppressed or lifted a moment ago.
      { consistent: true, projection: ['sk'] },
    );
    return new Set(items.map((item) => String(item.sk)));
  }
}
