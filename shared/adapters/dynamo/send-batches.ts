import { type DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SendBatch, type SendBatchKey, sendBatchId } from '../../domain/send-batch';
import type { SendBatchClaim, SendBatches } from '../../ports';
import { batchGetAll, batchWriteAll, chunk, eachConcurrently } from './batch';
import { isConditionFailure } from './expressions';

export const SEND_BATCH_KIND = 'sendBatch';
/** A batch of webhook endpoints: a kind of its own, so that each deliverer's stream filter takes its own. */
export const ENDPOINT_BATCH_KIND = 'endpointBatch';
const SEND_CLAIM_KIND = 'sendClaim';

/**
 * Send batches live in the deliveries table, whose stream is the sender's: `pk` `SEND#<incident>#<index>`,
 * `sk` `SEND#<update>`. Batches spread over the stream's shards and the senders of each by index, while
 * the same batch of an incident's successive updates shares a partition key: Lambda hands those to one
 * sender at a time, in order, so a recipient (at the same place in the audience, as the fan-out keeps
 * them) gets an incident's updates in order, each replying to the first. They are work, not history: the
 * sweep deletes an update's batches once it has settled, and a TTL removes any it missed. Beside each
 * batch, in its partition, the sender's claim (`sk` `CLAIM#<update>`): its absence is what tells a sender
 * that none of the batch's recipients can have been sent to yet (unless a fan-out ran again: `resumed`),
 * so it stays after its batch is deleted, until its own TTL.
 */
export class DynamoSendBatches implements SendBatches {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putAll(batches: readonly SendBatch[]): Promise<void> {
    await batchWriteAll(
      this.client,
      this.tableName,
      batches.map((batch) => ({
        PutRequest: {
          Item: {
            ...SendBatch.parse(batch),
            ...batchKey(batch),
            kind: batch.channel === 'webhook' ? ENDPOINT_BATCH_KIND : SEND_BATCH_KIND,
            expiresAt: expiresAt(batch.createdAt, BATCH_RETENTION_DAYS),
          },
        },
      })),
    );
  }

  async load(keys: readonly SendBatchKey[]): Promise<Map<string, SendBatch>> {
    const items = await batchGetAll(this.client, this.tableName, keys.map(batchKey), { consistent: true });
    const found = new Map(
      items.map((item) => {
        const batch = SendBatch.parse(item);
        return [sendBatchId(batch), batch] as const;
      }),
    );
    // In the order of the keys: a batch read answers in any order.
    return new Map(keys.flatMap((key) => found.get(sendBatchId(key)) ?? []).map((b) => [sendBatchId(b), b]));
  }

  async claim(batches: readonly SendBatchClaim[]): Promise<Set<string>> {
    // One transaction for a stream batch's claims: one request, not ten. A claim already there cancels it
    // whole, and the reasons say which: the rest are claimed again without it.
    const first = new Set<string>();
    const unique = [...new Map(batches.map((batch) => [sendBatchId(batch), batch])).values()];
    for (const part of chunk(unique, MAX_TRANSACTION_ITEMS)) {
      let unclaimed = part;
      while (unclaimed.length > 0) {
        const claimedBefore = await this.claimAll(unclaimed);
        if (claimedBefore === 'all') {
          for (const batch of unclaimed) first.add(sendBatchId(batch));
          break;
        }
        unclaimed = unclaimed.filter((_, index) => !claimedBefore.has(index));
      }
    }
    return first;
  }

  /**
   * Claims every batch, or none: 'all', or the positions of those already claimed (the transaction was
   * cancelled on their condition; the rest were not written).
   */
  private async claimAll(batches: readonly SendBatchClaim[]): Promise<'all' | Set<number>> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: batches.map((batch) => ({
            Put: {
              TableName: this.tableName,
              Item: {
                ...claimKey(batch),
                kind: SEND_CLAIM_KIND,
                expiresAt: expiresAt(batch.createdAt, CLAIM_RETENTION_DAYS),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          })),
        }),
      );
      return 'all';
    } catch (error) {
      const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
      if (!(error instanceof Error && error.name === 'TransactionCanceledException') || !reasons) throw error;
      const claimed = new Set(
        reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : [])),
      );
      // Cancelled for anything else (a conflicting transaction): the stream retries the invocation.
      const otherwise = reasons.some(
        (r) => r.Code && r.Code !== 'None' && r.Code !== 'ConditionalCheckFailed',
      );
      if (otherwise || claimed.size === 0) throw error;
      return claimed;
    }
  }

  async redrive(key: SendBatchKey): Promise<void> {
    await this.updateIfStored(key, 'ADD redrives :one', { ':one': 1 });
  }

  async forgetRedrives(keys: readonly SendBatchKey[]): Promise<void> {
    // The MODIFY this makes reaches the sender once more; without the count, it writes nothing.
    await eachConcurrently(keys, (key) =>
      this.updateIfStored(key, 'REMOVE redrives', {}, 'attribute_exists(redrives)'),
    );
  }

  async deleteAll(keys: readonly SendBatchKey[]): Promise<void> {
    await batchWriteAll(
      this.client,
      this.tableName,
      keys.map((key) => ({ DeleteRequest: { Key: batchKey(key) } })),
    );
  }

  /** An update never recreates a batch the sweep deleted. */
  private async updateIfStored(
    key: SendBatchKey,
    update: string,
    values: Record<string, unknown>,
    also?: string,
  ) {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: batchKey(key),
          UpdateExpression: update,
          ConditionExpression: `attribute_exists(pk)${also ? ` AND ${also}` : ''}`,
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

/** DynamoDB's limit of actions in one transaction. */
const MAX_TRANSACTION_ITEMS = 100;

/** Long enough for any backlog to drain; the sweep deletes settled batches well before. */
const BATCH_RETENTION_DAYS = 14;

/**
 * A claim outlives every way its batch's record can come back to a sender: the stream's 24 hours, the
 * batch's own 14 days (a sweep redrive), a set-aside record's 14 days in its failure queue (a redrive by
 * hand, even after the sweep deleted the batch). Without it, a late record would look never sent.
 */
const CLAIM_RETENTION_DAYS = 30;

const expiresAt = (createdAt: string, days: number) =>
  Math.floor(Date.parse(createdAt) / 1000) + days * 86_400;

const batchPk = (key: SendBatchKey) => `SEND#${key.incidentId}#${key.index}`;
const batchKey = (key: SendBatchKey) => ({ pk: batchPk(key), sk: `SEND#${key.updateId}` });
const claimKey = (key: SendBatchKey) => ({ pk: batchPk(key), sk: `CLAIM#${key.updateId}` });
