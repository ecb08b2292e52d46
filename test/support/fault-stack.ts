import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_REGION, localCredentials } from '../../infra/local/aws-local';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { seedFollowers } from './followers';
import { mailTo } from './local-aws';

/** Helpers for fault tests on a local stack: followers, an incident, and what became of each delivery. */
export function faultScenario(stack: LocalStack) {
  const db = createDocumentClient(
    new DynamoDBClient({
      endpoint: stack.dynamodbEndpoint,
      region: LOCAL_REGION,
      credentials: localCredentials,
    }),
  );
  return {
    db,
    /** `count` confirmed followers of one component (Channel - Chat in Prod1 (US) by default). */
    followers: async (count: number, label: string, componentId = US_CHAT) =>
      (await seedFollowers(db, stack.tables.subscribers, { pageId: PAGE_ID, componentId, count, label })).map(
        (follower) => follower.email,
      ),
    /** A new incident on one component, as Statuspage posts it. */
    async postIncident(componentId = US_CHAT): Promise<Response> {
      const seed = { ...chatMessagesMayFail, componentId, id: `f${randomUUID().slice(0, 11)}` };
      return fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(incidentWebhook(seed, 1)),
      });
    },
    /**
     * Deliveries by status, with the errors of failed ones; of the given subscribers only, if given, and
     * then those with no delivery record yet counted as pending.
     */
    async deliveryStatuses(emails?: readonly string[]) {
      const wanted = emails ? new Set(emails) : undefined;
      const counts: Record<string, number> = {};
      const errors: string[] = [];
      const recorded = new Set<string>();
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new ScanCommand({ TableName: stack.tables.deliveries, ExclusiveStartKey: startKey }),
        );
        for (const item of page.Items ?? []) {
          if (item.kind !== 'delivery' || (wanted && !wanted.has(item.email))) continue;
          counts[item.status] = (counts[item.status] ?? 0) + 1;
          recorded.add(String(item.email));
          if (item.error) errors.push(String(item.error));
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      // A recipient with no delivery record yet is pending.
      const waiting = emails ? emails.filter((email) => !recorded.has(email)).length : 0;
      if (waiting > 0) counts.pending = (counts.pending ?? 0) + waiting;
      return { counts, errors };
    },
    /** How many mails each address got (addresses with none included, at 0). */
    async mailsPerAddress(addresses: readonly string[]) {
      const per = new Map(addresses.map((address) => [address, 0]));
      for (const mail of await mailTo(addresses)) {
        const to = mail.destination.to[0] ?? '';
        per.set(to, (per.get(to) ?? 0) + 1);
      }
      return [...per.values()];
    },
  };
}
