import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SendBatch, type SendBatchKey, sendBatchId } from '../../domain/send-batch';
import type { SendBatches } from '../../ports';
import { batchGetAll, batchWriteAll, eachConcurrently } from './batch';
import { isConditionFailure } from './expressions';

export const SEND_BATCH_KIND = 'sendBatch';

/**
 * Send batches live in the deliveries table, whose stream is the sender's: `pk` `SEND#<incident>#<update>
 * #<index>`, one partition per batch so that batches spread over the stream's shards and the senders of
 * each. They are work, not history: the sweep deletes an update's batches once it has settled, and a
 * TTL removes any it missed.
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
            expiresAt: Math.floor(Date.parse(batch.createdAt) / 1000) + BATCH_RETENTION_DAYS * 86_400,
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

/** Long enough for any backlog to drain; the sweep deletes settled batches well before. */
const BATCH_RETENTION_DAYS = 14;

function batchKey(key: SendBatchKey) {
  return { pk: `SEND#${key.incidentId}#${key.updateId}#${key.index}`, sk: 'SEND' };
}
