import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  PENDING_TTL_DAYS,
  type Recipient,
  SubscriberRecord,
  type SubscriberStatus,
} from '../../domain/subscriber';
import { Topic } from '../../domain/topics';
import { AppError } from '../../errors';
import type { SubscriberFilter, SubscriberProfile, Subscribers } from '../../ports';
import { batchGetAll } from './batch';
import { decodeCursor, encodeCursor } from './cursor';
import { isConditionFailure } from './expressions';
import { SUBSCRIBERS_BY_TOPIC } from './tables';

const PROFILE = 'PROFILE';
const MAX_SCAN_PAGES = 10;
const LOCK = 'EMAIL';
const topicSk = (topicKey: string) => `TOPIC#${topicKey}`;
const emailPk = (email: string) => `EMAIL#${email}`;
const ProfileItem = SubscriberRecord.omit({ topics: true });

/**
 * Subscribers table: `pk` subscriber id with `sk` `PROFILE` or `TOPIC#<topic key>`, and `pk`
 * `EMAIL#<address>` naming the subscriber an address belongs to (an address is unique without relying on
 * an eventually consistent index). Topic items carry email, status and level for the audience index;
 * the profile carries the sets of pages, regions and components followed, for support searches.
 * Pending subscribers' items expire (TTL) unless confirmed.
 */
export class DynamoSubscribers implements Subscribers {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: SubscriberRecord): Promise<void> {
    await this.transact(
      [
        {
          Put: {
            TableName: this.tableName,
            Item: this.lockItem(record),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...this.recordWrites(record, []),
      ],
      'a subscriber with this email already exists',
    );
  }

  async save(record: SubscriberRecord, previous: SubscriberRecord): Promise<SubscriberRecord> {
    const next = { ...record, version: previous.version + 1 };
    const removed = previous.topics.filter((old) => !next.topics.some((topic) => topic.key === old.key));
    const [profile, ...rest] = this.recordWrites(
      next,
      removed.map((t) => t.key),
    );
    await this.transact(
      [
        {
          Put: {
            ...(profile as { Put: { TableName: string; Item: Record<string, unknown> } }).Put,
            ConditionExpression: 'version = :version',
            ExpressionAttributeValues: { ':version': previous.version },
          },
        },
        ...rest,
        { Put: { TableName: this.tableName, Item: this.lockItem(next) } },
      ],
      'the subscriber was changed by someone else; read it again and retry',
    );
    return next;
  }

  async get(id: string): Promise<SubscriberRecord | undefined> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': id },
        ConsistentRead: true,
      }),
    );
    const profile = Items.find((item) => item.sk === PROFILE);
    if (!profile) return undefined;
    const topics = Items.filter((item) => String(item.sk).startsWith('TOPIC#')).map((item) =>
      Topic.parse(item),
    );
    return SubscriberRecord.parse({ ...profile, topics });
  }

  async findByEmail(email: string): Promise<SubscriberRecord | undefined> {
    const lock = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: emailPk(email), sk: LOCK },
        ConsistentRead: true,
      }),
    );
    const subscriberId = lock.Item?.subscriberId;
    if (typeof subscriberId !== 'string') return undefined;
    const record = await this.get(subscriberId);
    if (!record) {
      // The profile expired (TTL) before its address lock did: free the address instead of blocking it.
      await this.client
        .send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { pk: emailPk(email), sk: LOCK },
            ConditionExpression: 'subscriberId = :id',
            ExpressionAttributeValues: { ':id': subscriberId },
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionFailure(error)) throw error;
        });
    }
    return record;
  }

  async getProfiles(ids: readonly string[]): Promise<Map<string, SubscriberProfile>> {
    const unique = [...new Set(ids)];
    const items = await batchGetAll(
      this.client,
      this.tableName,
      unique.map((id) => ({ pk: id, sk: PROFILE })),
      { consistent: true },
    );
    return new Map(items.map((item) => [String(item.pk), ProfileItem.parse(item)]));
  }

  async erase(id: string): Promise<SubscriberRecord | undefined> {
    const record = await this.get(id);
    if (!record) return undefined;
    // Conditional on the version read, so a topic added meanwhile cannot survive with the address on it.
    await this.transact(
      [
        { Delete: { TableName: this.tableName, Key: { pk: emailPk(record.email), sk: LOCK } } },
        {
          Delete: {
            TableName: this.tableName,
            Key: { pk: id, sk: PROFILE },
            ConditionExpression: 'version = :version',
            ExpressionAttributeValues: { ':version': record.version },
          },
        },
        ...record.topics.map((topic) => ({
          Delete: { TableName: this.tableName, Key: { pk: id, sk: topicSk(topic.key) } },
        })),
      ],
      'the subscriber was changed while being erased; retry',
    );
    return record;
  }

  async search(filter: SubscriberFilter, cursor: string | undefined, limit: number) {
    const conditions = ['sk = :profile'];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':profile': PROFILE };
    const add = (condition: string, name: string, value: unknown) => {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      conditions.push(condition.replaceAll('NAME', `#${name}`).replaceAll('VALUE', `:${name}`));
    };
    if (filter.email) add('contains(NAME, VALUE)', 'email', filter.email);
    if (filter.status) add('NAME = VALUE', 'status', filter.status);
    if (filter.pageId) add('contains(NAME, VALUE)', 'pageIds', filter.pageId);
    if (filter.groupId) add('contains(NAME, VALUE)', 'groupIds', filter.groupId);
    if (filter.componentId) add('contains(NAME, VALUE)', 'componentIds', filter.componentId);

    // A filtered scan reads up to `Limit` items per page and returns those that match: keep reading
    // until the page is full or the table ends, so callers get full pages and a cursor to go on.
    const found: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined = decodeCursor(cursor, { keys: ['pk', 'sk'] });
    let scanned = 0;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: conditions.join(' AND '),
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ExclusiveStartKey: startKey,
          Limit: Math.max(limit * 4, 200),
        }),
      );
      found.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
      scanned++;
      // A bounded amount of work per request (API Gateway gives 30 s): a sparse match returns a short
      // page and a cursor to go on from.
    } while (startKey && found.length < limit && scanned < MAX_SCAN_PAGES);
    const pageItems = found.slice(0, limit);
    // Resume after the last item returned (not after the last item scanned), so none is skipped.
    const last = pageItems.at(-1);
    const next = found.length > limit && last ? { pk: last.pk, sk: last.sk } : startKey;
    const records = await Promise.all(pageItems.map((item) => this.get(String(item.pk))));
    return {
      items: records.filter((r): r is SubscriberRecord => r !== undefined),
      ...(next ? { cursor: encodeCursor(next) } : {}),
    };
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
        level: item.level ?? 'all',
      }));
      if (recipients.length > 0) yield recipients;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  private recordWrites(record: SubscriberRecord, removedTopicKeys: readonly string[]) {
    const { topics, ...profile } = record;
    const expiresAt = pendingExpiry(record);
    const sets = (values: Array<string | undefined>) => {
      const defined = values.filter((v): v is string => v !== undefined);
      return defined.length ? new Set(defined) : undefined;
    };
    return [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            pk: record.id,
            sk: PROFILE,
            ...profile,
            pageIds: sets(topics.map((t) => t.pageId)),
            groupIds: sets(topics.map((t) => t.groupId)),
            componentIds: sets(topics.map((t) => t.componentId)),
            expiresAt,
          },
        },
      },
      ...topics.map((topic) => ({
        Put: {
          TableName: this.tableName,
          Item: {
            pk: record.id,
            sk: topicSk(topic.key),
            topic: topic.key,
            ...topic,
            email: record.email,
            status: record.status,
            level: record.level,
            expiresAt,
          },
        },
      })),
      ...removedTopicKeys.map((key) => ({
        Delete: { TableName: this.tableName, Key: { pk: record.id, sk: topicSk(key) } },
      })),
    ];
  }

  private lockItem(record: SubscriberRecord) {
    return { pk: emailPk(record.email), sk: LOCK, subscriberId: record.id, expiresAt: pendingExpiry(record) };
  }

  private async transact(
    items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>,
    conflict: string,
  ) {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (
        error instanceof Error &&
        error.name === 'TransactionCanceledException' &&
        /ConditionalCheckFailed/.test(error.message)
      ) {
        throw new AppError('CONFLICT', conflict);
      }
      throw error;
    }
  }
}

/** Pending subscribers expire; confirmed and unsubscribed ones stay (the latter so a re-subscribe is recognized). */
function pendingExpiry(record: { status: SubscriberStatus; createdAt: string }): number | undefined {
  if (record.status !== 'pending') return undefined;
  return Math.floor(Date.now() / 1000) + PENDING_TTL_DAYS * 86_400;
}
