import { randomUUID } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Recipient, Subscriber } from '../../domain/subscriber';
import { Topic } from '../../domain/topics';
import { AppError } from '../../errors';
import type { NewSubscriber, Subscribers } from '../../ports';
import { SUBSCRIBERS_BY_TOPIC } from './tables';

const PROFILE = 'PROFILE';
const topicSk = (topicKey: string) => `TOPIC#${topicKey}`;
const emailPk = (email: string) => `EMAIL#${email}`;

/**
 * Subscribers table: `pk` subscriber id with `sk` `PROFILE` or `TOPIC#<topic key>`; `pk` `EMAIL#<address>`
 * holds the id an address belongs to, so an address is unique without relying on an eventually
 * consistent index. Topic items carry email and status for the audience index.
 */
export class DynamoSubscribers implements Subscribers {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create({ email, status, topics }: NewSubscriber): Promise<Subscriber> {
    const subscriber: Subscriber = {
      id: randomUUID(),
      email,
      status,
      topics,
      createdAt: new Date().toISOString(),
    };
    const { topics: _, ...profile } = subscriber;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { pk: emailPk(email), sk: 'EMAIL', subscriberId: subscriber.id },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: { TableName: this.tableName, Item: { pk: subscriber.id, sk: PROFILE, ...profile } } },
            ...topics.map((topic) => ({
              Put: {
                TableName: this.tableName,
                Item: {
                  pk: subscriber.id,
                  sk: topicSk(topic.key),
                  topic: topic.key,
                  ...topic,
                  email,
                  status,
                },
              },
            })),
          ],
        }),
      );
    } catch (error) {
      if (
        error instanceof Error &&
        error.name === 'TransactionCanceledException' &&
        /ConditionalCheckFailed/.test(error.message)
      ) {
        throw new AppError('CONFLICT', 'a subscriber with this email already exists', [
          { path: 'email', message: 'already subscribed' },
        ]);
      }
      throw error;
    }
    return subscriber;
  }

  async findByEmail(email: string): Promise<Subscriber | undefined> {
    const lock = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: emailPk(email), sk: 'EMAIL' },
        ConsistentRead: true,
      }),
    );
    const subscriberId = lock.Item?.subscriberId;
    if (typeof subscriberId !== 'string') return undefined;
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': subscriberId },
        ConsistentRead: true,
      }),
    );
    const profile = Items.find((item) => item.sk === PROFILE);
    if (!profile) return undefined;
    const topics = Items.filter((item) => String(item.sk).startsWith('TOPIC#')).map((item) =>
      Topic.parse(item),
    );
    return Subscriber.parse({ ...profile, topics });
  }

  async *audience(topicKey: string): AsyncIterable<Recipient[]> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: SUBSCRIBERS_BY_TOPIC,
          KeyConditionExpression: 'topic = :topic',
          FilterExpression: '#status = :confirmed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':topic': topicKey, ':confirmed': 'confirmed' },
          ExclusiveStartKey: startKey,
        }),
      );
      const recipients = (page.Items ?? []).map((item) => ({
        subscriberId: String(item.pk),
        email: String(item.email),
      }));
      if (recipients.length > 0) yield recipients;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}
