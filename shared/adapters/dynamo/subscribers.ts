import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type AddressSearch,
  addressMatches,
  addressSearch,
  addressStart,
  domainOf,
} from '../../domain/address-search';
import {
  deliveryAddress,
  Follow,
  followKey,
  PENDING_TTL_DAYS,
  type Recipient,
  SubscriberRecord,
  type SubscriberStatus,
} from '../../domain/subscriber';
import { Topic } from '../../domain/topics';
import * as z from '../../domain/zod';
import { AppError } from '../../errors';
import type { SubscriberFilter, SubscriberProfile, Subscribers } from '../../ports';
import { batchGetAll, eachConcurrently, queryAll } from './batch';
import { decodeCursor, encodeCursor, invalidCursor } from './cursor';
import { isConditionFailure } from './expressions';
import { subscriberChangeWrite } from './subscriber-changes';
import { SUBSCRIBERS_BY_ADDRESS, SUBSCRIBERS_BY_TOPIC } from './tables';

const PROFILE = 'PROFILE';
/** Reads per search request: a bounded amount of work (API Gateway gives 30 s), then a cursor. */
const MAX_SEARCH_READS = 10;
const LOCK = 'EMAIL';
/**
 * Followers read per audience request: the fan-out writes its first send batches after a thousand, not
 * after a whole 1 MB page (about seven thousand), so the first mails leave sooner.
 */
const AUDIENCE_PAGE = 1_000;
const topicSk = (topicKey: string) => `TOPIC#${topicKey}`;
const followSk = (incidentId: string) => `FOLLOW#${incidentId}`;
const emailPk = (email: string) => `EMAIL#${email}`;
/** The item that makes a subscriber unique: its address, or an endpoint subscriber's endpoint. */
const lockPk = (record: Pick<SubscriberRecord, 'email' | 'endpointKey'>) =>
  record.endpointKey ? `ENDPOINT#${record.endpointKey}` : emailPk(record.email);
/** An endpoint subscriber's URL and secrets, sealed (see DynamoEndpoints). */
export const ENDPOINT_SK = 'ENDPOINT';
const byDomain = (domain: string) => `DOMAIN#${domain}`;
const byStart = (text: string) => `START#${addressStart(text)}`;
const INDEX_CURSOR_KEYS = ['pk', 'sk', 'addressKey', 'email'] as const;
/** The part of a profile the sender reads: a projection keeps the read small. */
const SendProfileItem = z.pick(SubscriberRecord, { id: true, status: true, linkNonce: true, timeZone: true });
/** DynamoDB's limit of writes in one transaction. */
const MAX_TRANSACTION_WRITES = 100;
type TransactWrites = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/**
 * Subscribers table: `pk` subscriber id with `sk` `PROFILE` or `TOPIC#<topic key>`, and `pk`
 * `EMAIL#<address>` naming the subscriber an address belongs to (an address is unique without relying on
 * an eventually consistent index). Topic items carry email, status and level for the audience index.
 * The profile and the address item carry the status and the sets of pages, regions and components
 * followed, for support searches, and are filed in the address index under the domain and the first
 * characters of the address respectively. Pending subscribers' items expire (TTL) unless confirmed.
 */
export class DynamoSubscribers implements Subscribers {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: SubscriberRecord): Promise<void> {
    await this.transact(this.createWrites(record), 'a subscriber with this email already exists');
  }

  /**
   * Many new subscribers in few requests: as many whole subscribers per transaction as fit in its 100
   * writes. A transaction that fails (an address taken meanwhile) is redone one subscriber at a time, so
   * that only the subscriber at fault fails. Returns the failures by subscriber id.
   */
  async createMany(records: readonly SubscriberRecord[]): Promise<Map<string, unknown>> {
    const groups: Array<{ records: SubscriberRecord[]; writes: TransactWrites }> = [];
    for (const record of records) {
      const writes = this.createWrites(record);
      const group = groups.at(-1);
      if (group && group.writes.length + writes.length <= MAX_TRANSACTION_WRITES) {
        group.records.push(record);
        group.writes.push(...writes);
      } else {
        groups.push({ records: [record], writes });
      }
    }
    const failures = new Map<string, unknown>();
    // One at a time: transactions over many items run no faster side by side, and would conflict.
    for (const group of groups) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: group.writes }));
      } catch {
        for (const record of group.records) {
          await this.create(record).catch((failure: unknown) => failures.set(record.id, failure));
        }
      }
    }
    return failures;
  }

  async save(record: SubscriberRecord, previous: SubscriberRecord): Promise<SubscriberRecord> {
    const next = {
      ...record,
      version: previous.version + 1,
      // A new nonce revokes the links signed with it, and those signed with an earlier issue time.
      ...(record.linkNonce !== previous.linkNonce ? { linksValidFrom: new Date().toISOString() } : {}),
    };
    const removed = previous.topics.filter((old) => !next.topics.some((topic) => topic.key === old.key));
    const unfollowed = (previous.follows ?? []).filter(
      (old) => !(next.follows ?? []).some((follow) => follow.incidentId === old.incidentId),
    );
    const [profile, ...rest] = this.recordWrites(
      next,
      removed.map((t) => t.key),
      unfollowed.map((f) => f.incidentId),
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
        ...(changesSending(previous, next)
          ? [subscriberChangeWrite(this.tableName, { subscriberId: next.id })]
          : []),
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
    // A follow past its end may linger until DynamoDB's TTL deletes it: it is over all the same.
    const now = new Date().toISOString();
    const follows = Items.filter((item) => String(item.sk).startsWith('FOLLOW#'))
      .map((item) => Follow.parse(item))
      .filter((follow) => !follow.endsAt || follow.endsAt > now);
    return SubscriberRecord.parse({ ...profile, topics, ...(follows.length ? { follows } : {}) });
  }

  async reindex(cursor: string | undefined, limit: number) {
    const page = await this.client.send(
      new ScanCommand({
        TableName: this.tableName,
        FilterExpression: 'sk = :profile AND attribute_not_exists(addressKey)',
        ExpressionAttributeValues: { ':profile': PROFILE },
        ExclusiveStartKey: decodeCursor(cursor, { keys: ['pk', 'sk'] }),
        Limit: limit,
      }),
    );
    let reindexed = 0;
    await eachConcurrently(page.Items ?? [], async (item) => {
      const record = await this.get(String(item.pk));
      if (!record) return;
      const { profile, address } = subscriberItems(record);
      const fields = (source: Record<string, unknown>) =>
        Object.fromEntries(
          ['addressKey', 'status', 'pageIds', 'groupIds', 'componentIds', 'email']
            .filter((name) => source[name] !== undefined)
            .map((name) => [name, source[name]]),
        );
      const update = (
        key: Record<string, string>,
        values: Record<string, unknown>,
        condition: string,
        expected: Record<string, unknown>,
      ) => {
        const names = Object.keys(values);
        return {
          Update: {
            TableName: this.tableName,
            Key: key,
            UpdateExpression: `SET ${names.map((_name, i) => `#f${i} = :f${i}`).join(', ')}`,
            ConditionExpression: condition,
            ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#f${i}`, name])),
            ExpressionAttributeValues: {
              ...Object.fromEntries(names.map((name, i) => [`:f${i}`, values[name]])),
              ...expected,
            },
          },
        };
      };
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              // Unchanged since it was read: a save meanwhile has filed it already.
              update({ pk: profile.pk, sk: PROFILE }, fields(profile), 'version = :version', {
                ':version': record.version,
              }),
              update({ pk: address.pk, sk: LOCK }, fields(address), 'subscriberId = :id', {
                ':id': record.id,
              }),
            ],
          }),
        );
        reindexed++;
      } catch (error) {
        if (!(error instanceof Error && error.name === 'TransactionCanceledException')) throw error;
      }
    });
    return {
      scanned: page.Items?.length ?? 0,
      reindexed,
      ...(page.LastEvaluatedKey ? { cursor: encodeCursor(page.LastEvaluatedKey) } : {}),
    };
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
    return this.ownerOf(email, subscriberId);
  }

  /** The subscriber of an endpoint, by its key (see `endpointKey`). */
  async findByEndpoint(key: string): Promise<SubscriberRecord | undefined> {
    const lockKey = { pk: lockPk({ email: '', endpointKey: key }), sk: LOCK };
    const lock = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: lockKey, ConsistentRead: true }),
    );
    const subscriberId = lock.Item?.subscriberId;
    if (typeof subscriberId !== 'string') return undefined;
    const record = await this.get(subscriberId);
    // The profile expired (TTL) before its lock did: free the endpoint instead of blocking it.
    if (!record)
      await this.client
        .send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: lockKey,
            ConditionExpression: 'subscriberId = :id',
            ExpressionAttributeValues: { ':id': subscriberId },
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionFailure(error)) throw error;
        });
    return record;
  }

  /** The subscribers of many addresses (their address items read 100 at a time), by address. */
  async findManyByEmail(emails: readonly string[]): Promise<Map<string, SubscriberRecord>> {
    const locks = await batchGetAll(
      this.client,
      this.tableName,
      [...new Set(emails)].map((email) => ({ pk: emailPk(email), sk: LOCK })),
      { consistent: true, projection: ['pk', 'subscriberId'] },
    );
    const found = new Map<string, SubscriberRecord>();
    await eachConcurrently(locks, async (lock) => {
      const email = String(lock.pk).slice(emailPk('').length);
      const record =
        typeof lock.subscriberId === 'string' ? await this.ownerOf(email, lock.subscriberId) : undefined;
      if (record) found.set(email, record);
    });
    return found;
  }

  /** The subscriber an address item names, read consistently. */
  private async ownerOf(email: string, subscriberId: string): Promise<SubscriberRecord | undefined> {
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
      { consistent: true, projection: ['id', 'status', 'linkNonce', 'timeZone'] },
    );
    return new Map(items.map((item) => [String(item.id), SendProfileItem.parse(item)]));
  }

  async erase(id: string): Promise<SubscriberRecord | undefined> {
    const record = await this.get(id);
    if (!record) return undefined;
    // Every follow item, ended ones too (TTL deletes those within days, not at once): each has the address.
    const followItems = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :follow)',
      ExpressionAttributeValues: { ':pk': id, ':follow': followSk('') },
      ProjectionExpression: 'sk',
      ConsistentRead: true,
    });
    // Conditional on the version read, so a topic added meanwhile cannot survive with the address on it.
    await this.transact(
      [
        { Delete: { TableName: this.tableName, Key: { pk: lockPk(record), sk: LOCK } } },
        // An endpoint's credentials go with it.
        { Delete: { TableName: this.tableName, Key: { pk: id, sk: ENDPOINT_SK } } },
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
        ...followItems.map((item) => ({
          Delete: { TableName: this.tableName, Key: { pk: id, sk: String(item.sk) } },
        })),
        // The id only: an erased address is not written anywhere again.
        subscriberChangeWrite(this.tableName, { subscriberId: id }),
      ],
      'the subscriber was changed while being erased; retry',
    );
    return record;
  }

  /**
   * Support's search. The address term picks the way (see `addressSearch`): a whole address is read by
   * its address item; a domain and the start of an address are ranges of the address index; only a part
   * anywhere, or no address at all, scans the table. Each way reads a bounded amount per request and
   * hands back a cursor to go on from.
   */
  async search(filter: SubscriberFilter, cursor: string | undefined, limit: number) {
    const { email: term, ...rest } = filter;
    const address = term ? addressSearch(term) : undefined;
    if (address?.kind === 'exact') {
      // Never a second page: a cursor is one this search cannot have returned.
      if (cursor) throw invalidCursor();
      const record = await this.findByEmail(address.email);
      return { items: record && matchesFilter(record, rest, address) ? [record] : [] };
    }
    const reads = searchReads(address);
    const found: Array<{ id: string; key: Record<string, unknown>; read: number }> = [];
    let position = resumeAt(reads, cursor);
    let done = 0;
    // Until the page is full (and one more, to know whether to hand back a cursor), the reads are used up,
    // or the work bound is reached; a read that has not begun yet is begun, so a cursor always has a key.
    while (
      position.read < reads.length &&
      found.length <= limit &&
      (done < MAX_SEARCH_READS || !position.startKey)
    ) {
      const read = reads[position.read] as SearchRead;
      const page = await this.client.send(this.searchCommand(read, rest, position.startKey, limit));
      done++;
      for (const item of page.Items ?? []) {
        const id = String(item.sk === LOCK ? item.subscriberId : item.pk);
        if (read.skipDomain && domainOf(String(item.email)) === read.skipDomain) continue;
        found.push({ id, key: pick(item, read.keys), read: position.read });
      }
      position = page.LastEvaluatedKey
        ? { read: position.read, startKey: page.LastEvaluatedKey }
        : { read: position.read + 1 };
    }
    const pageItems = found.slice(0, limit);
    // Resume after the last item returned (not after the last item read), so none is skipped.
    const last = pageItems.at(-1);
    const next =
      found.length > limit && last ? last.key : position.read < reads.length ? position.startKey : undefined;
    const records = await Promise.all(pageItems.map((item) => this.get(item.id)));
    return {
      // Index entries are eventually consistent: what was erased or changed meanwhile is checked again.
      items: records.filter((r): r is SubscriberRecord => r !== undefined && matchesFilter(r, rest, address)),
      ...(next ? { cursor: encodeCursor(next) } : {}),
    };
  }

  private searchCommand(
    read: SearchRead,
    filter: Omit<SubscriberFilter, 'email'>,
    startKey: Record<string, unknown> | undefined,
    limit: number,
  ) {
    const conditions: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const add = (condition: string, name: string, value: unknown) => {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      conditions.push(condition.replaceAll('NAME', `#${name}`).replaceAll('VALUE', `:${name}`));
    };
    if (filter.status) add('NAME = VALUE', 'status', filter.status);
    if (filter.pageId) add('contains(NAME, VALUE)', 'pageIds', filter.pageId);
    if (filter.groupId) add('contains(NAME, VALUE)', 'groupIds', filter.groupId);
    if (filter.componentId) add('contains(NAME, VALUE)', 'componentIds', filter.componentId);
    // Only profiles carry the channel: an address range is checked on the records it finds (matchesFilter).
    if (filter.host && read.kind === 'scan') {
      names['#channel'] = 'channel';
      names['#host'] = 'host';
      values[':host'] = filter.host;
      conditions.push('#channel.#host = :host');
    }
    // A filtered read returns what matches among the items it read: read more at a time.
    const pageSize = conditions.length > 0 || read.kind === 'scan' ? Math.max(limit * 4, 200) : limit + 1;
    if (read.kind === 'scan') {
      values[':profile'] = PROFILE;
      conditions.unshift('sk = :profile');
      if (read.address) add(`${read.address.function}(NAME, VALUE)`, 'email', read.address.value);
      return new ScanCommand({
        TableName: this.tableName,
        FilterExpression: conditions.join(' AND '),
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
        ExclusiveStartKey: startKey,
        Limit: pageSize,
      });
    }
    names['#addressKey'] = 'addressKey';
    values[':addressKey'] = read.partition;
    let keyCondition = '#addressKey = :addressKey';
    if (read.startsWith) {
      names['#email'] = 'email';
      values[':start'] = read.startsWith;
      keyCondition += ' AND begins_with(#email, :start)';
    }
    return new QueryCommand({
      TableName: this.tableName,
      IndexName: SUBSCRIBERS_BY_ADDRESS,
      KeyConditionExpression: keyCondition,
      ...(conditions.length ? { FilterExpression: conditions.join(' AND ') } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ExclusiveStartKey: startKey,
      Limit: pageSize,
    });
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
          ProjectionExpression: 'pk, email, #level',
          ExpressionAttributeNames: { '#status': 'status', '#level': 'level' },
          ExpressionAttributeValues: { ':topic': topicKey, ':confirmed': 'confirmed' },
          ExclusiveStartKey: startKey,
          Limit: AUDIENCE_PAGE,
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

  async followingNow(incidentId: string, subscriberIds: readonly string[]): Promise<Set<string>> {
    const items = await batchGetAll(
      this.client,
      this.tableName,
      subscriberIds.map((id) => ({ pk: id, sk: followSk(incidentId) })),
      { consistent: true, projection: ['pk', 'endsAt'] },
    );
    const now = new Date().toISOString();
    return new Set(
      items
        .filter((item) => typeof item.endsAt !== 'string' || item.endsAt > now)
        .map((item) => String(item.pk)),
    );
  }

  async followersOf(incidentId: string): Promise<string[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: SUBSCRIBERS_BY_TOPIC,
      KeyConditionExpression: 'topic = :topic',
      ExpressionAttributeValues: { ':topic': followKey(incidentId) },
    });
    return [...new Set(items.map((item) => String(item.pk)))];
  }

  private recordWrites(
    record: SubscriberRecord,
    removedTopicKeys: readonly string[],
    unfollowedIncidentIds: readonly string[] = [],
  ) {
    const items = subscriberItems(record);
    return [
      { Put: { TableName: this.tableName, Item: items.profile } },
      ...[...items.topics, ...items.follows].map((Item) => ({ Put: { TableName: this.tableName, Item } })),
      ...removedTopicKeys.map((key) => ({
        Delete: { TableName: this.tableName, Key: { pk: record.id, sk: topicSk(key) } },
      })),
      ...unfollowedIncidentIds.map((incidentId) => ({
        Delete: { TableName: this.tableName, Key: { pk: record.id, sk: followSk(incidentId) } },
      })),
    ];
  }

  private lockItem(record: SubscriberRecord) {
    return subscriberItems(record).address;
  }

  /** A new subscriber's writes: its address item only if the address is free, then everything else. */
  private createWrites(record: SubscriberRecord): TransactWrites {
    return [
      {
        Put: {
          TableName: this.tableName,
          Item: this.lockItem(record),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...this.recordWrites(record, []),
    ];
  }

  private async transact(items: TransactWrites, conflict: string) {
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

/** Whether a save changes what a sender must do for the subscriber: whether to mail, its links, its time zone. */
function changesSending(previous: SubscriberRecord, next: SubscriberRecord): boolean {
  return (
    previous.status !== next.status ||
    previous.linkNonce !== next.linkNonce ||
    previous.timeZone !== next.timeZone ||
    previous.email !== next.email
  );
}

/** Pending subscribers expire; confirmed and unsubscribed ones stay (the latter so a re-subscribe is recognized). */
function pendingExpiry(record: { status: SubscriberStatus; createdAt: string }): number | undefined {
  if (record.status !== 'pending') return undefined;
  return Math.floor(Date.now() / 1000) + PENDING_TTL_DAYS * 86_400;
}

/**
 * The items one subscriber is stored as: its profile, its address item and one item per topic. Every
 * write of a subscriber writes these (and seeding helpers use them), so no copy lacks the keys and
 * attributes the audience and address indexes file it by.
 */
export function subscriberItems(record: SubscriberRecord) {
  const { topics, follows = [], ...profile } = record;
  const expiresAt = pendingExpiry(record);
  const sets = (values: Array<string | undefined>) => {
    const defined = values.filter((v): v is string => v !== undefined);
    return defined.length ? new Set(defined) : undefined;
  };
  // What support searches filter on, on both items the address index holds.
  const searched = {
    status: record.status,
    // The page of an incident followed on its own counts: support looks for a page's people.
    pageIds: sets([...topics, ...follows].map((t) => t.pageId)),
    groupIds: sets(topics.map((t) => t.groupId)),
    componentIds: sets(topics.map((t) => t.componentId)),
  };
  return {
    profile: {
      pk: record.id,
      sk: PROFILE,
      ...profile,
      ...searched,
      addressKey: byDomain(domainOf(record.email)),
      expiresAt,
    },
    address: {
      pk: lockPk(record),
      sk: LOCK,
      subscriberId: record.id,
      email: record.email,
      ...searched,
      addressKey: byStart(record.email),
      expiresAt,
    },
    topics: topics.map((topic) => ({
      pk: record.id,
      sk: topicSk(topic.key),
      topic: topic.key,
      ...topic,
      email: deliveryAddress(record),
      status: record.status,
      level: record.level,
      expiresAt,
    })),
    // Filed in the audience index under the incident: its followers are one more topic of its audience.
    follows: follows.map((follow) => ({
      pk: record.id,
      sk: followSk(follow.incidentId),
      topic: follow.key,
      ...follow,
      email: deliveryAddress(record),
      status: record.status,
      level: record.level,
      expiresAt: followExpiry(follow, expiresAt),
    })),
  };
}

/** A follow's items go with its end, or with a pending subscriber's profile if that is sooner. */
function followExpiry(follow: Follow, pendingExpiresAt: number | undefined): number | undefined {
  const ends = follow.endsAt ? Math.floor(Date.parse(follow.endsAt) / 1000) : undefined;
  if (ends === undefined) return pendingExpiresAt;
  return pendingExpiresAt === undefined ? ends : Math.min(ends, pendingExpiresAt);
}

/** One read of a search: a range of the address index, or a scan of the profiles. */
type SearchRead = { keys: readonly string[]; skipDomain?: string } & (
  | { kind: 'index'; partition: string; startsWith?: string }
  | { kind: 'scan'; address?: { function: 'contains' | 'begins_with'; value: string } }
);

/** The reads that answer an address search, in the order their results are listed. */
function searchReads(address: AddressSearch | undefined): SearchRead[] {
  const index = (partition: string, startsWith?: string) =>
    ({ kind: 'index', keys: INDEX_CURSOR_KEYS, partition, ...(startsWith ? { startsWith } : {}) }) as const;
  const scan = (address?: { function: 'contains' | 'begins_with'; value: string }) =>
    ({ kind: 'scan', keys: ['pk', 'sk'], ...(address ? { address } : {}) }) as const;
  switch (address?.kind) {
    case undefined:
      return [scan()];
    case 'exact':
      return [index(byStart(address.email), address.email)];
    case 'domain':
      return [index(byDomain(address.domain))];
    case 'prefix':
      return [index(byStart(address.prefix), address.prefix)];
    case 'domainOrPrefix':
      // Every address at the domain, then those that start with the term and are not at it (listed).
      return [
        index(byDomain(address.domain)),
        { ...index(byStart(address.prefix), address.prefix), skipDomain: address.domain },
      ];
    case 'startsWith':
      return [scan({ function: 'begins_with', value: address.prefix })];
    case 'contains':
      return [scan({ function: 'contains', value: address.part })];
  }
}

/**
 * Where a cursor resumes: the read whose keys (and index range) it has. A cursor this search cannot
 * have returned is refused, never handed to DynamoDB.
 */
function resumeAt(
  reads: readonly SearchRead[],
  cursor: string | undefined,
): { read: number; startKey?: Record<string, string> } {
  if (!cursor) return { read: 0 };
  for (const [n, read] of reads.entries()) {
    try {
      const startKey = decodeCursor(cursor, {
        keys: read.keys,
        ...(read.kind === 'index' ? { partition: { name: 'addressKey', value: read.partition } } : {}),
      });
      const inRange =
        read.kind !== 'index' || !read.startsWith || startKey?.email?.startsWith(read.startsWith);
      if (startKey && inRange) return { read: n, startKey };
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
    }
  }
  throw invalidCursor();
}

function pick(item: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, item[key]]));
}

/** The filters of a search, checked on a record read consistently. */
function matchesFilter(
  record: SubscriberRecord,
  filter: Omit<SubscriberFilter, 'email'>,
  address: AddressSearch | undefined,
): boolean {
  const follows = (field: 'pageId' | 'groupId' | 'componentId') =>
    !filter[field] ||
    record.topics.some((topic) => topic[field] === filter[field]) ||
    (field === 'pageId' && (record.follows ?? []).some((follow) => follow.pageId === filter.pageId));
  return (
    addressMatches(address, record.email) &&
    (!filter.status || record.status === filter.status) &&
    (!filter.host || record.channel?.host === filter.host) &&
    follows('pageId') &&
    follows('groupId') &&
    follows('componentId')
  );
}
