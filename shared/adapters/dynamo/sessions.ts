import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from '../../domain/zod';
import type { AdminSession, AdminSessions } from '../../ports';
import { isConditionFailure } from './expressions';

const SORT_KEY = 'SESSION';
const pk = (sessionId: string) => `SESSION#${sessionId}`;

const StoredSession = z.object({
  sessionId: z.string(),
  secretHash: z.string(),
  keyId: z.string(),
  scopes: z.array(z.enum(['read', 'write'])),
  bootstrapKeyHash: z.optional(z.string()),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  endsAt: z.string(),
  revokedAt: z.optional(z.string()),
});

/**
 * Console sessions, hashed, one item each in the subscribers table. `expiresAt` (the table's TTL
 * attribute, epoch seconds) lets DynamoDB clean them up some time after their absolute end; until then,
 * and on DynamoDB Local which never deletes, expiry is checked in code.
 */
export class DynamoAdminSessions implements AdminSessions {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(session: AdminSession): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: pk(session.sessionId),
          sk: SORT_KEY,
          ...session,
          expiresAt: Math.ceil(Date.parse(session.endsAt) / 1000),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(sessionId: string): Promise<AdminSession | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: pk(sessionId), sk: SORT_KEY },
        ConsistentRead: true,
      }),
    );
    return Item ? StoredSession.parse(Item) : undefined;
  }

  async touch(sessionId: string, at: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: pk(sessionId), sk: SORT_KEY },
          UpdateExpression: 'SET lastSeenAt = :at',
          // Concurrent requests race; the later time wins and a revoked session stays as it is.
          ConditionExpression:
            'attribute_exists(pk) AND lastSeenAt < :at AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async revoke(sessionId: string, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: pk(sessionId), sk: SORT_KEY },
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
