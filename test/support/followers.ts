import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from '../../shared/adapters/dynamo/batch';
import { subscriberItems } from '../../shared/adapters/dynamo/subscribers';
import { componentTopicKey } from '../../shared/domain/topics';

/**
 * Writes `count` confirmed followers of one component straight into the subscribers table, as the
 * subscribe flow leaves them (profile, address and topic items, so support can search for them too):
 * thousands in seconds, where the API would take minutes. Returns them.
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
  const topic = { key: componentTopicKey(pageId, componentId), pageId, componentId };
  const createdAt = new Date().toISOString();
  const followers = Array.from({ length: count }, (_, n) => ({
    id: randomUUID(),
    email: `${label}-${n}@example.com`,
  }));
  await batchWriteAll(
    db,
    subscribersTable,
    followers.flatMap(({ id, email }, n) => {
      const items = subscriberItems({
        id,
        email,
        status: 'confirmed',
        level: 'all',
        topics: [topic],
        createdAt,
        linkNonce: `nonce${n}`,
        version: 0,
      });
      return [items.profile, items.address, ...items.topics].map((Item) => ({ PutRequest: { Item } }));
    }),
  );
  return followers;
}
