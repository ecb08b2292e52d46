import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  DELIVERY_RETENTION_DAYS,
  Delivery,
  type DeliveryKey,
  deliveryId,
  OUTCOME_ORDER,
} from '../../domain/delivery';
import type { Deliveries, DeliveryOutcome } from '../../ports';
import { batchGetAll, batchWriteAll } from './batch';
import { decodeCursor, encodeCursor } from './cursor';
import { isConditionFailure } from './expressions';
import { DELIVERIES_BY_RETRY } from './tables';

export const DELIVERY_KIND = 'delivery';
/** The retry index's partitions: waiting deliveries spread over a few, each read by the sweep. */
const RETRY_SHARDS = ['R#0', 'R#1', 'R#2', 'R#3'];
/** How long a delivery handed to the deliverer may go unrecorded before the sweep hands it over again. */
const LEASE_MS = 10 * 60_000;
const lease = (from = new Date()) => new Date(from.getTime() + LEASE_MS).toISOString();
const retryShardOf = (subscriberId: string) =>
  RETRY_SHARDS[
    [...subscriberId].reduce((sum, c) => sum + c.charCodeAt(0), 0) % RETRY_SHARDS.length
  ] as string;
const deliverySk = (key: DeliveryKey) => `DELIVERY#${key.incidentId}#${key.updateId}`;

/**
 * Deliveries table, keyed by subscriber: `sk` `DELIVERY#<incident>#<update>`, one per recipient per
 * update, written once by the sender with what became of the mail. The table also holds the send
 * batches (see send-batches.ts), the sender's trigger. Items `THREAD#…` and pending deliveries written by
 * earlier versions are no longer written.
 */
export class DynamoDeliveries implements Deliveries {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

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
          // Only once recorded as sent, and only ever to a graver outcome.
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
      // No record yet: SES's event overtook the sender's write, or a record of an older version is pending.
      const current = (await this.load([key])).get(deliveryId(key));
      return !current || current.status === 'pending' ? ('not-sent-yet' as const) : ('unchanged' as const);
    }
  }

  async queueEndpointDeliveries(deliveries: readonly Delivery[]): Promise<void> {
    await batchWriteAll(
      this.client,
      this.tableName,
      deliveries.map((delivery) => ({
        PutRequest: {
          // Due now, and filed in the retry index a lease ahead: should its stream record never be
          // handled (a batch set aside), the sweep brings it back when the lease runs out.
          Item: { ...this.deliveryItem(delivery), due: true, ...this.retryFiling(delivery, lease()) },
        },
      })),
    );
  }

  async recordEndpointAttempts(deliveries: readonly Delivery[]): Promise<void> {
    await batchWriteAll(
      this.client,
      this.tableName,
      deliveries.map((delivery) => {
        const waiting = delivery.status === 'pending' && delivery.nextAttemptAt;
        return {
          PutRequest: {
            Item: {
              ...this.deliveryItem(delivery),
              // Off the stream until the sweep finds it due in the retry index.
              ...(waiting ? this.retryFiling(delivery, delivery.nextAttemptAt ?? lease()) : {}),
            },
          },
        };
      }),
    );
  }

  async dueEndpointDeliveries(now: Date, limit: number): Promise<DeliveryKey[]> {
    const shards = await Promise.all(
      RETRY_SHARDS.map((shard) =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: DELIVERIES_BY_RETRY,
            KeyConditionExpression: 'retryShard = :shard AND retryAt <= :now',
            ExpressionAttributeValues: { ':shard': shard, ':now': now.toISOString() },
            Limit: limit,
          }),
        ),
      ),
    );
    // Taken from the shards in turn: a long backlog in one does not hold the others back.
    const lists = shards.map((page) => page.Items ?? []);
    const taken: DeliveryKey[] = [];
    for (let index = 0; taken.length < limit && lists.some((list) => index < list.length); index++)
      for (const list of lists) {
        const item = list[index];
        if (item && taken.length < limit)
          taken.push({
            subscriberId: String(item.subscriberId),
            incidentId: String(item.incidentId),
            updateId: String(item.updateId),
          });
      }
    return taken;
  }

  async markDue(key: DeliveryKey, now: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: deliveryKey(key),
          // Handed back through the stream, and filed a lease ahead again: a handback whose stream
          // record is lost is brought back by a later sweep, never left pending for good.
          UpdateExpression: 'SET due = :due, retryAt = :lease',
          // The index may lag the item: a retry rescheduled meanwhile is not brought back early.
          ConditionExpression: 'retryAt <= :now',
          ExpressionAttributeValues: { ':due': true, ':now': now.toISOString(), ':lease': lease(now) },
        }),
      );
    } catch (error) {
      // Handed back already (two sweeps at once), or settled meanwhile.
      if (!isConditionFailure(error)) throw error;
    }
  }

  private retryFiling(delivery: Delivery, at: string) {
    return { retryShard: retryShardOf(delivery.subscriberId), retryAt: at };
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
