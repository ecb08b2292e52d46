import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from '../../shared/adapters/dynamo/batch';
import { componentTopicKey } from '../../shared/domain/topics';

/**
 * Writes `count` confirmed followers of one component straight into the subscribers table, as the
 * subscribe flow leaves them (profile and topic items): thousands in seconds, where the API would take
 * minutes. Returns them.
 */
export async function seedFollowers(
  db: DynamoDBDocumentClient,
  subscribersTable: string,
  {
    pageId,
    componentId,
    count,
    label,
  }: { pageId: string; componentId: string; count: number; label: string },
): Promise<Array<{ id: string; email: string }>> {
  const topic = componentTopicKey(pageId, componentId);
  const createdAt = new Date().toISOString();
  const followers = Array.from({ length: count }, (_, n) => ({
    id: randomUUID(),
    email: `${label}-${n}@example.com`,
  }));
  await batchWriteAll(
    db,
    subscribersTable,
    followers.flatMap(({ id, email }, n) => {
      const shared = { email, status: 'confirmed', level: 'all' };
      return [
        {
          PutRequest: {
            Item: { pk: id, sk: 'PROFILE', id, ...shared, createdAt, linkNonce: `nonce${n}`, version: 0 },
          },
        },
        {
          PutRequest: {
            Item: { pk: id, sk: `TOPIC#${topic}`, topic, key: topic, pageId, componentId, ...shared },
          },
        },
      ];
    }),
  );
  return followers;
}
