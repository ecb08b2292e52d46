import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SendPacer } from '../../ports';
import { isConditionFailure } from './expressions';

/**
 * SES's send rate is per account, whatever the number of concurrent senders: they share one counter per
 * second (an expiring item in the subscribers table, which has no stream) and wait for the next second
 * when it is full. Callers send at most a second's worth per call. A sender takes a batch's worth of room
 * at once when the second has it, so one request paces two bulk calls; room it takes and does not use is
 * lost to the others for that second only.
 */
export class DynamoSendPacer implements SendPacer {
  /** Room taken ahead in the current second and not used yet: most calls need no request of their own. */
  private credit = { second: -1, left: 0 };

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly maxPerSecond: number,
    private readonly now: () => number = () => Date.now(),
    /** Room taken at once when there is some: a stream batch's worth (100). */
    private readonly takeAhead = 100,
  ) {}

  async acquire(count: number, deadline: number): Promise<boolean> {
    const take = Math.min(count, this.maxPerSecond);
    while (this.now() < deadline) {
      const second = Math.floor(this.now() / 1000);
      if (this.credit.second === second && this.credit.left >= take) {
        this.credit.left -= take;
        return true;
      }
      const ahead = Math.min(this.maxPerSecond, Math.max(take, this.takeAhead));
      // Ahead when there is room for it; else just what this call needs, before waiting for the next second.
      for (const reserve of ahead > take ? [ahead, take] : [take]) {
        const taken = await this.reserve(second, reserve);
        if (taken === 'unknown') return false; // not knowing whether there is room is no room
        if (taken) {
          this.credit = { second, left: reserve - take };
          return true;
        }
      }
      // Full: wait for the next second, with jitter so waiting senders do not all retry at once.
      const wait = (second + 1) * 1000 - this.now() + Math.random() * 100;
      await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 10)));
    }
    return false;
  }

  private async reserve(second: number, count: number): Promise<boolean | 'unknown'> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: 'SENDRATE', sk: String(second) },
          UpdateExpression: 'ADD sent :count SET expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(sent) OR sent <= :room',
          ExpressionAttributeValues: {
            ':count': count,
            ':room': this.maxPerSecond - count,
            ':expires': second + 3600,
          },
        }),
      );
      return true;
    } catch (error) {
      return isConditionFailure(error) ? false : 'unknown';
    }
  }
}
