import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from '../../shared/adapters/dynamo/batch';
import type { DynamoEndpoints } from '../../shared/adapters/dynamo/endpoints';
import { subscriberItems } from '../../shared/adapters/dynamo/subscribers';
import { HEALTHY } from '../../shared/domain/endpoint';
import { maskedEndpoint } from '../../shared/domain/endpoint-url';
import { componentTopicKey } from '../../shared/domain/topics';

/** Followers that are webhooks: each one's URL, and the store that seals it. */
export interface SeededEndpoints {
  store: DynamoEndpoints;
  url: (n: number) => string;
  secret: string;
}

/**
 * Writes `count` confirmed followers of one component straight into the subscribers table, as the
 * subscribe flow leaves them (profile, address and topic items, so support can search for them too; a
 * webhook's sealed credentials beside them): thousands in seconds, where the API would take minutes.
 * Returns them.
 */
export async function seedFollowers(
  db: DynamoDBDocumentClient,
  subscribersTable: string,
  {
    pageId,
    componentId,
    count,
    label,
    endpoints,
  }: { pageId: string; componentId: string; count: number; label: string; endpoints?: SeededEndpoints },
): Promise<Array<{ id: string; email: string; url?: string }>> {
  const topic = { key: componentTopicKey(pageId, componentId), pageId, componentId };
  const createdAt = new Date().toISOString();
  const followers = Array.from({ length: count }, (_, n) => ({
    id: randomUUID(),
    email: `${label}-${n}@example.com`,
    ...(endpoints ? { url: endpoints.url(n) } : {}),
  }));
  await batchWriteAll(
    db,
    subscribersTable,
    followers.flatMap(({ id, email, url }, n) => {
      const items = subscriberItems({
        id,
        email,
        status: 'confirmed',
        level: 'all',
        topics: [topic],
        createdAt,
        linkNonce: `nonce${n}`,
        version: 0,
        ...(endpoints && url
          ? {
              channel: {
                type: 'webhook' as const,
                format: 'v1' as const,
                endpoint: maskedEndpoint(url),
                host: new URL(url).host,
              },
              endpointKey: endpoints.store.keyOf(url),
            }
          : {}),
      });
      const credentials =
        endpoints && url
          ? [
              endpoints.store.itemOf({
                subscriberId: id,
                url,
                format: 'v1',
                secrets: [{ secret: endpoints.secret, createdAt }],
                health: HEALTHY,
              }),
            ]
          : [];
      return [items.profile, items.address, ...items.topics, ...credentials].map((Item) => ({
        PutRequest: { Item },
      }));
    }),
  );
  return followers;
}
