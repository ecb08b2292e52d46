import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SendPacer } from '../../ports';
import { isConditionFailure } from './expressions';

/**
 * SES's send rate is per account, whatever the number of concurrent senders: they share one counter per
 * second (an expiring item in the subscribers table, which has no stream) and wait for the next second
 * when it is full. Callers send at most a second's worth per call.
 */
export class DynamoSendPacer implements SendPacer {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly maxPerSecond: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async acquire(count: number, deadline: number): Promise<boolean> {
    const take = Math.min(count, this.maxPerSecond);
    while (this.now() < deadline) {
      const second = Math.floor(this.now() / 1000);
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: 'SENDRATE', sk: String(second) },
            UpdateExpression: 'ADD sent :count SET expiresAt = :expires',
            ConditionExpression: 'attribute_not_exists(sent) OR sent <= :room',
            ExpressionAttributeValues: {
              ':count': take,
              ':room': this.maxPerSecond - take,
              ':expires': second + 3600,
            },
          }),
        );
        return true;
      } catch (error) {
        // Not knowing whether there is room is no room: the records go back to the stream.
        if (!isConditionFailure(error)) return false;
        // Full: wait for the next second, with jitter so waiting senders do not all retry at once.
        const wait = (second + 1) * 1000 - this.now() + Math.random() * 100;
        await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 10)));
      }
    }
    return false;
  }
}
