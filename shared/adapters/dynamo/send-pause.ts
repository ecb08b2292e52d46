import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SendPause } from '../../ports';

const KEY = { pk: 'SENDPAUSE', sk: 'ACCOUNT' };

/**
 * The account-wide pause, one item in the subscribers table (no stream there) that every sender and the
 * sweep read: while SES refuses mail, nobody keeps asking it, and nothing is failed for it.
 */
export class DynamoSendPause implements SendPause {
  private cached: { readAt: number; value: { until: Date; reason: string } | undefined } | undefined;

  /**
   * `cacheMs`: how long what was last read is trusted. A sender reads once per few seconds (a pause begun
   * elsewhere costs it at most a refused call); the sweep reads every time.
   */
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: { cacheMs: number; now?: () => number } = { cacheMs: 0 },
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  async current() {
    if (!this.cached || this.now() - this.cached.readAt >= this.options.cacheMs) {
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: KEY, ConsistentRead: true }),
      );
      const value =
        typeof Item?.until === 'number'
          ? { until: new Date(Item.until), reason: String(Item.reason) }
          : undefined;
      this.cached = { readAt: this.now(), value };
    }
    const value = this.cached.value;
    return value && value.until.getTime() > this.now() ? value : undefined;
  }

  async pause(until: Date, reason: string): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...KEY,
          until: until.getTime(),
          reason,
          expiresAt: Math.floor(until.getTime() / 1000) + 86_400,
        },
      }),
    );
    this.cached = { readAt: this.now(), value: { until, reason } };
  }
}
