import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  DELIVERY_RETENTION_DAYS,
  Delivery,
  type DeliveryKey,
  deliveryId,
  OUTCOME_ORDER,
} from '../../domain/delivery';
import type { Deliveries, DeliveryOutcome } from '../../ports';
import { batchGetAll, batchWriteAll, eachConcurrently } from './batch';
import { decodeCursor, encodeCursor } from './cursor';
import { isConditionFailure } from './expressions';

export const DELIVERY_KIND = 'delivery';
const deliverySk = (key: DeliveryKey) => `DELIVERY#${key.incidentId}#${key.updateId}`;

/**
 * Deliveries table, keyed by subscriber so a fan-out to 100,000 spreads over partitions: `sk`
 * `DELIVERY#<incident>#<update>`, one per recipient per update, the sender's trigger. Items `THREAD#…`
 * written by earlier versions (a recipient's first message id per incident) are no longer read.
 */
export class DynamoDeliveries implements Deliveries {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putAll(deliveries: readonly Delivery[], { onlyMissing }: { onlyMissing: boolean }): Promise<void> {
    let toWrite = deliveries;
    if (onlyMissing && deliveries.length > 0) {
      const existing = await batchGetAll(this.client, this.tableName, deliveries.map(deliveryKey), {
        consistent: true,
        projection: ['pk', 'sk'],
      });
      const present = new Set(existing.map((item) => `${item.pk}|${item.sk}`));
      toWrite = deliveries.filter((d) => !present.has(`${d.subscriberId}|${deliverySk(d)}`));
    }
    await batchWriteAll(
      this.client,
      this.tableName,
      toWrite.map((delivery) => ({ PutRequest: { Item: this.deliveryItem(delivery) } })),
    );
  }

  async load(keys: readonly DeliveryKey[]): Promise<Map<string, Delivery>> {
    const unique = [...new Map(keys.map((key) => [deliveryId(key), key])).values()];
    const items = await batchGetAll(this.client, this.tableName, unique.map(deliveryKey), {
      consistent: true,
    });
    return new Map(
      items.map((item) => {
        const delivery = Delivery.parse(item);
        return [deliveryId(delivery), delivery] as const;
      }),
    );
  }

  async recordOutcomes(outcomes: readonly Delivery[]): Promise<void> {
    await batchWriteAll(
      this.client,
      this.tableName,
      outcomes.map((delivery) => ({ PutRequest: { Item: this.deliveryItem(delivery) } })),
    );
  }

  async pendingAmong(keys: readonly DeliveryKey[]) {
    const items = await batchGetAll(this.client, this.tableName, keys.map(deliveryKey), {
      consistent: true,
      projection: ['subscriberId', 'incidentId', 'updateId', 'status', 'redrives'],
    });
    return items
      .filter((item) => item.status === 'pending')
      .map((item) => ({
        subscriberId: String(item.subscriberId),
        incidentId: String(item.incidentId),
        updateId: String(item.updateId),
        redrives: typeof item.redrives === 'number' ? item.redrives : 0,
      }));
  }

  async redrive(keys: readonly DeliveryKey[]): Promise<number> {
    // A new stream record for the sender; the condition keeps a delivery marked meanwhile as it is.
    return this.updateEachPending(keys, 'ADD redrives :one', { ':one': 1 });
  }

  async forgetRedrives(keys: readonly DeliveryKey[]): Promise<void> {
    // The MODIFY this makes reaches the sender once more; without the count, it writes nothing.
    await this.updateEachPending(keys, 'REMOVE redrives', {}, 'attribute_exists(redrives)');
  }

  /** Applies `update` to each delivery that is still pending (and meets `also`); returns how many were. */
  private async updateEachPending(
    keys: readonly DeliveryKey[],
    update: string,
    values: Record<string, unknown>,
    also?: string,
  ): Promise<number> {
    let updated = 0;
    await eachConcurrently(keys, async (key) => {
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: deliveryKey(key),
            UpdateExpression: update,
            ConditionExpression: `#status = :pending${also ? ` AND ${also}` : ''}`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ...values, ':pending': 'pending' },
          }),
        );
        updated++;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    });
    return updated;
  }

  async history(subscriberId: string, cursor: string | undefined, limit: number) {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :delivery)',
        ExpressionAttributeValues: { ':pk': subscriberId, ':delivery': 'DELIVERY#' },
        ScanIndexForward: false,
        ExclusiveStartKey: decodeCursor(cursor, {
          keys: ['pk', 'sk'],
          partition: { name: 'pk', value: subscriberId },
        }),
        Limit: limit,
      }),
    );
    return {
      items: (page.Items ?? []).map((item) => Delivery.parse(item)),
      ...(page.LastEvaluatedKey ? { cursor: encodeCursor(page.LastEvaluatedKey) } : {}),
    };
  }

  async forgetAddress(subscriberId: string): Promise<number> {
    let forgotten = 0;
    let cursor: string | undefined;
    do {
      const page = await this.history(subscriberId, cursor, 500);
      const withAddress = page.items.filter((delivery) => delivery.email !== undefined);
      await batchWriteAll(
        this.client,
        this.tableName,
        withAddress.map(({ email: _, ...delivery }) => ({
          PutRequest: { Item: this.deliveryItem(delivery) },
        })),
      );
      forgotten += withAddress.length;
      cursor = page.cursor;
    } while (cursor);
    return forgotten;
  }

  async recordOutcome(key: DeliveryKey, outcome: DeliveryOutcome, at: string) {
    const lower = OUTCOME_ORDER.slice(0, OUTCOME_ORDER.indexOf(outcome));
    const names = lower.map((_, index) => `:lower${index}`);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: key.subscriberId, sk: deliverySk(key) },
          UpdateExpression: 'SET outcome = :outcome, outcomeAt = :at',
          // Only once marked sent (the sender's mark rewrites the item), and only ever to a graver outcome.
          ConditionExpression: `#status = :sent AND (attribute_not_exists(outcome)${names.length ? ` OR outcome IN (${names.join(', ')})` : ''})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':outcome': outcome,
            ':at': at,
            ':sent': 'sent',
            ...Object.fromEntries(lower.map((value, index) => [`:lower${index}`, value])),
          },
        }),
      );
      return 'recorded' as const;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = (await this.load([key])).get(deliveryId(key));
      return current && current.status === 'pending' ? ('not-sent-yet' as const) : ('unchanged' as const);
    }
  }

  private deliveryItem(delivery: Delivery) {
    return {
      ...Delivery.parse(delivery),
      ...deliveryKey(delivery),
      kind: DELIVERY_KIND,
      expiresAt: expiry(delivery.createdAt),
    };
  }
}

function deliveryKey(key: DeliveryKey) {
  return { pk: key.subscriberId, sk: deliverySk(key) };
}

function expiry(fromIso: string): number {
  return Math.floor(Date.parse(fromIso) / 1000) + DELIVERY_RETENTION_DAYS * 86_400;
}
