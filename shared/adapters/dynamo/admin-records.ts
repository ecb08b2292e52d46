import { randomBytes } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from '../../domain/zod';
import type { ApiKey, ApiKeys, AuditEntry, AuditLog, RateLimiter } from '../../ports';
import { decodeCursor, encodeCursor } from './cursor';
import { isConditionFailure } from './expressions';

const KEYS_PARTITION = 'APIKEYS';
const StoredApiKey = z.object({
  keyId: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(['read', 'write'])),
  secretHash: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  revokedAt: z.optional(z.string()),
});

/** Admin API keys, hashed, in one small partition of the subscribers table. */
export class DynamoApiKeys implements ApiKeys {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(key: ApiKey): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: KEYS_PARTITION, sk: key.keyId, ...key },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(keyId: string): Promise<ApiKey | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: KEYS_PARTITION, sk: keyId },
        ConsistentRead: true,
      }),
    );
    return Item ? StoredApiKey.parse(Item) : undefined;
  }

  async list(): Promise<ApiKey[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': KEYS_PARTITION },
      }),
    );
    return Items.map((item) => StoredApiKey.parse(item));
  }

  async revoke(keyId: string, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: KEYS_PARTITION, sk: keyId },
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

const AuditItem = z.object({
  at: z.string(),
  actor: z.string(),
  via: z.optional(z.string()),
  action: z.string(),
  target: z.optional(z.string()),
  status: z.number(),
  requestId: z.string(),
});

/** The audit trail, one partition per month (`AUDIT#2026-11`), newest first. */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `AUDIT#${entry.at.slice(0, 7)}`,
          sk: `${entry.at}#${randomBytes(4).toString('hex')}`,
          ...entry,
        },
      }),
    );
  }

  async list(month: string, cursor: string | undefined, limit: number) {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `AUDIT#${month}` },
        ScanIndexForward: false,
        ExclusiveStartKey: decodeCursor(cursor, {
          keys: ['pk', 'sk'],
          partition: { name: 'pk', value: `AUDIT#${month}` },
        }),
        Limit: limit,
      }),
    );
    return {
      items: (page.Items ?? []).map((item) => AuditItem.parse(item)),
      ...(page.LastEvaluatedKey ? { cursor: encodeCursor(page.LastEvaluatedKey) } : {}),
    };
  }
}

/** Fixed-window counters in the subscribers table (`RATE#<key>`), expiring with their window. */
export class DynamoRateLimiter implements RateLimiter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async hit(key: string, limit: number, windowSeconds: number) {
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    const windowStart = nowSeconds - (nowSeconds % windowSeconds);
    const retryAfterSeconds = windowStart + windowSeconds - nowSeconds;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `RATE#${key}`, sk: String(windowStart) },
          UpdateExpression: 'ADD hits :one SET expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': limit,
            ':expires': windowStart + windowSeconds + 60,
          },
        }),
      );
      return { allowed: true, retryAfterSeconds: 0 };
    } catch (error) {
      if (isConditionFailure(error)) return { allowed: false, retryAfterSeconds };
      throw error;
    }
  }
}
