import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SendBatch, type SendBatchKey, sendBatchId } from '../../domain/send-batch';
import type { SendBatchClaim, SendBatches } from '../../ports';
import { batchGetAll, batchWriteAll, eachConcurrently } from './batch';
import { isConditionFailure } from './expressions';

export const SEND_BATCH_KIND = 'sendBatch';
const SEND_CLAIM_KIND = 'sendClaim';

/**
 * Send batches live in the deliveries table, whose stream is the sender's: `pk` `SEND#<incident>#<update>
 * #<index>`, one partition per batch so that batches spread over the stream's shards and the senders of
 * each. They are work, not history: the sweep deletes an update's batches once it has settled, and a
 * TTL removes any it missed. Beside each batch, in its partition, the sender's claim (`sk` `CLAIM`): its
 * absence is what tells a sender that none of the batch's recipients can have been sent to yet.
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
            kind: SEND_BATCH_KIND,
            expiresAt: expiresAt(batch.createdAt),
          },
        },
      })),
    );
  }

  async load(keys: readonly SendBatchKey[]): Promise<Map<string, SendBatch>> {
    const items = await batchGetAll(this.client, this.tableName, keys.map(batchKey), { consistent: true });
    return new Map(
      items.map((item) => {
        const batch = SendBatch.parse(item);
        return [sendBatchId(batch), batch] as const;
      }),
    );
  }

  async claim(batches: readonly SendBatchClaim[]): Promise<Set<string>> {
    const first = new Set<string>();
    await eachConcurrently(batches, async (batch) => {
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...claimKey(batch), kind: SEND_CLAIM_KIND, expiresAt: expiresAt(batch.createdAt) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        first.add(sendBatchId(batch));
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    });
    return first;
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
      keys.flatMap((key) => [
        { DeleteRequest: { Key: batchKey(key) } },
        { DeleteRequest: { Key: claimKey(key) } },
      ]),
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

/** Long enough for any backlog to drain; the sweep deletes settled batches well before. */
const BATCH_RETENTION_DAYS = 14;

const expiresAt = (createdAt: string) =>
  Math.floor(Date.parse(createdAt) / 1000) + BATCH_RETENTION_DAYS * 86_400;

const batchPk = (key: SendBatchKey) => `SEND#${key.incidentId}#${key.updateId}#${key.index}`;
const batchKey = (key: SendBatchKey) => ({ pk: batchPk(key), sk: 'SEND' });
const claimKey = (key: SendBatchKey) => ({ pk: batchPk(key), sk: 'CLAIM' });
