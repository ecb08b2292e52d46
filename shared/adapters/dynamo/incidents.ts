import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  CLOSING_STATUSES,
  feedShows,
  Incident,
  IncidentUpdate,
  pageIdOfIncident,
} from '../../domain/incident';
import * as z from '../../domain/zod';
import type {
  DeliveryOutcome,
  FeedCursor,
  Incidents,
  SendCounts,
  UnsettledUpdate,
  UpdateCounts,
} from '../../ports';
import { batchGetAll, queryAll } from './batch';
import { decodeCursor, encodeCursor } from './cursor';
import { isConditionFailure, setClause } from './expressions';
import { INCIDENTS_BY_PAGE, tables, UPDATES_BY_PAGE } from './tables';

const UNSETTLED_INDEX = tables.incidents.indexes[0];
const UNSETTLED = 'UNSETTLED';

const META = 'META';

/** Maintenances by the hour their window starts: `REMIND#2026-11-24T10`, sorted by start within it. */
const reminderBucket = (scheduledFor: string) => `REMIND#${scheduledFor.slice(0, 13)}`;

/** Every hour bucket from `from` to `to`, both included. */
function hourBuckets(from: string, to: string): string[] {
  const buckets: string[] = [];
  const end = new Date(to).getTime();
  for (
    let hour = Math.floor(new Date(from).getTime() / 3_600_000) * 3_600_000;
    hour <= end;
    hour += 3_600_000
  )
    buckets.push(reminderBucket(new Date(hour).toISOString()));
  return buckets;
}
const updateSk = (updateId: string) => `UPDATE#${updateId}`;

/**
 * What files an update in its page's feed index (UPDATES_BY_PAGE), newest last within the page, with the
 * incident's components as its fan-out matches them: a narrowed feed shows whom the update was for.
 */
const feedKeys = (update: IncidentUpdate, componentIds: readonly string[]) =>
  feedShows(update)
    ? {
        feedPage: pageIdOfIncident(update.incidentId),
        feedAt: `${update.displayAt}#${update.incidentId}#${update.updateId}`,
        // An update at every limit (60,000 four-byte characters, a thousand long component ids) has no
        // room for them under DynamoDB's 400 KB: without them, a feed matches it by its incident as it is.
        ...(roomFor(update, componentIds) ? { feedComponents: [...componentIds] } : {}),
      }
    : {};

/** An item's budget: DynamoDB's 400 KB, less room for the counts and marks written on it later. */
const ITEM_BUDGET = 380 * 1024;
const roomFor = (update: IncidentUpdate, componentIds: readonly string[]) =>
  Buffer.byteLength(JSON.stringify(update)) + Buffer.byteLength(JSON.stringify(componentIds)) < ITEM_BUDGET;

/** An incident's components as the item holds them (a string set, which the document client reads as a Set). */
const storedComponents = (item: Record<string, unknown> | undefined) =>
  item?.componentIds instanceof Set ? [...(item.componentIds as Set<string>)].sort() : [];

/** An incident's META item as feeds need it: all but its postmortem, which may be large. */
const INCIDENT_FIELDS = Object.keys(Incident.shape).filter((name) => name !== 'postmortemBody');
/** Reads of a page's index for its maintenances: a page's incidents are mostly not maintenances. */
const MAINTENANCE_READS = { perRead: 200, reads: 5 };

// componentIds is a string set (so concurrent webhooks can ADD to it); the document client reads it as a Set.
const StoredIncident = z.extend(Incident, {
  componentIds: z.pipe(
    z.transform((value: unknown) => (value instanceof Set ? [...value].sort() : (value ?? []))),
    z.array(z.string()),
  ),
});

/** Incidents table: `pk` incident id; `sk` `META` or `UPDATE#<upstream update id>`. */
export class DynamoIncidents implements Incidents {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async save(incident: Incident): Promise<string[]> {
    const { componentIds, ...fields } = incident;
    const set = setClause({ ...fields, type: 'incident' }, { ifNotExists: ['subject', 'createdAt'] });
    const addComponents = componentIds.length > 0 ? ' ADD #componentIds :componentIds' : '';
    const componentValues = componentIds.length > 0 ? { ':componentIds': new Set(componentIds) } : {};
    const key = { pk: incident.incidentId, sk: META };
    try {
      const saved = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: set.clause + addComponents,
          // An older webhook arriving late must not roll the incident's state back.
          ConditionExpression: 'attribute_not_exists(pk) OR #updatedAt <= :updatedAt',
          ExpressionAttributeNames: {
            ...set.names,
            ...(addComponents ? { '#componentIds': 'componentIds' } : {}),
          },
          ExpressionAttributeValues: { ...set.values, ...componentValues },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return storedComponents(saved.Attributes);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (componentIds.length === 0) {
        const stored = await this.client.send(
          new GetCommand({ TableName: this.tableName, Key: key, ProjectionExpression: 'componentIds' }),
        );
        return storedComponents(stored.Item);
      }
      const added = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'ADD #componentIds :componentIds',
          ExpressionAttributeNames: { '#componentIds': 'componentIds' },
          ExpressionAttributeValues: componentValues,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return storedComponents(added.Attributes);
    }
  }

  async addUpdate(update: IncidentUpdate, incident: { componentIds: readonly string[] }): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: update.incidentId,
            sk: updateSk(update.updateId),
            type: 'update',
            ...update,
            ...feedKeys(update, incident.componentIds),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async get(incidentId: string): Promise<{ incident: Incident; updates: IncidentUpdate[] } | undefined> {
    const items = await this.items(incidentId);
    const meta = items.find((item) => item.sk === META);
    if (!meta) return undefined;
    return {
      incident: StoredIncident.parse(meta),
      updates: items.filter((item) => item.sk !== META).map((item) => IncidentUpdate.parse(item)),
    };
  }

  async scheduleReminder(incidentId: string, scheduledFor: string): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: reminderBucket(scheduledFor),
          sk: `${scheduledFor}#${incidentId}`,
          incidentId,
          scheduledFor,
          expiresAt: Math.floor(Date.parse(scheduledFor) / 1000) + 86_400,
        },
      }),
    );
  }

  async remindersDue(from: string, to: string) {
    const due: Array<{ incidentId: string; scheduledFor: string }> = [];
    for (const bucket of hourBuckets(from, to)) {
      const items = await queryAll(this.client, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': bucket, ':from': from, ':to': `${to}#\uffff` },
      });
      for (const item of items)
        due.push({ incidentId: String(item.incidentId), scheduledFor: String(item.scheduledFor) });
    }
    return due;
  }

  async reviseUpdate(incidentId: string, updateId: string, body: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: incidentId, sk: updateSk(updateId) },
        UpdateExpression: 'SET body = :body',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':body': body },
      }),
    );
  }

  async patch(incidentId: string, changes: { name?: string; impact?: string }): Promise<void> {
    const set = setClause(changes);
    if (Object.keys(set.names).length === 0) return;
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: incidentId, sk: META },
        UpdateExpression: set.clause,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: set.names,
        ExpressionAttributeValues: set.values,
      }),
    );
  }

  async listByPage(
    pageId: string,
    options: { status?: string; cursor?: string; limit: number; maxReads?: number },
  ) {
    const keys = ['pk', 'sk', 'pageId', 'createdAt'] as const;
    const filter =
      options.status === 'open'
        ? { filter: `NOT (#status IN (${CLOSING_STATUSES.map((_, i) => `:closed${i}`).join(', ')}))` }
        : options.status
          ? { filter: '#status = :status' }
          : {};
    const filterValues =
      options.status === 'open'
        ? Object.fromEntries(CLOSING_STATUSES.map((status, i) => [`:closed${i}`, status]))
        : options.status
          ? { ':status': options.status }
          : {};
    const { items, startKey } = await this.readPageIndex(pageId, {
      ...filter,
      ...(options.status ? { names: { '#status': 'status' } } : {}),
      values: filterValues,
      startKey: decodeCursor(options.cursor, { keys, partition: { name: 'pageId', value: pageId } }) as
        | Record<string, unknown>
        | undefined,
      want: options.limit,
      // Filtered, most of what is read may be left out: read more at a time.
      perRead: options.status ? Math.max(options.limit, 100) : options.limit,
      maxReads: options.maxReads ?? 5,
    });
    const kept = items.slice(0, options.limit);
    const last = kept.at(-1);
    // Resume after the last incident answered when more were read than answered; else where the reads
    // stopped (a filtered page may hold none and still not be the end).
    const next =
      last && items.length > kept.length
        ? encodeCursor(Object.fromEntries(keys.map((key) => [key, last[key]])))
        : startKey
          ? encodeCursor(startKey)
          : undefined;
    return { items: kept.map((item) => StoredIncident.parse(item)), ...(next ? { cursor: next } : {}) };
  }

  async feedUpdateRefs(pageId: string, options: { limit: number; cursor?: FeedCursor }) {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: UPDATES_BY_PAGE,
        KeyConditionExpression: 'feedPage = :page',
        // What the index holds; said, so that a store that projects more still answers only this.
        ProjectionExpression: 'incidentId, updateId, feedComponents',
        ExpressionAttributeValues: { ':page': pageId },
        ScanIndexForward: false,
        Limit: options.limit,
        ExclusiveStartKey: options.cursor,
      }),
    );
    return {
      items: (page.Items ?? []).map((item) => ({
        incidentId: String(item.incidentId),
        updateId: String(item.updateId),
        ...(Array.isArray(item.feedComponents) ? { componentIds: item.feedComponents.map(String) } : {}),
      })),
      ...(page.LastEvaluatedKey ? { cursor: page.LastEvaluatedKey } : {}),
    };
  }

  async getUpdates(refs: ReadonlyArray<{ incidentId: string; updateId: string }>) {
    const items = await batchGetAll(
      this.client,
      this.tableName,
      refs.map((ref) => ({ pk: ref.incidentId, sk: updateSk(ref.updateId) })),
    );
    const updates = items.map((item) => IncidentUpdate.parse(item));
    return new Map(updates.map((update) => [`${update.incidentId}#${update.updateId}`, update]));
  }

  async getMany(incidentIds: readonly string[]): Promise<Map<string, Incident>> {
    const items = await batchGetAll(
      this.client,
      this.tableName,
      [...new Set(incidentIds)].map((pk) => ({ pk, sk: META })),
      { projection: INCIDENT_FIELDS },
    );
    const incidents = items.map((item) => StoredIncident.parse(item));
    return new Map(incidents.map((incident) => [incident.incidentId, incident]));
  }

  async maintenances(pageId: string, limit: number): Promise<Incident[]> {
    const { items } = await this.readPageIndex(pageId, {
      filter: 'attribute_exists(scheduledFor) AND attribute_exists(scheduledUntil)',
      want: limit,
      perRead: MAINTENANCE_READS.perRead,
      maxReads: MAINTENANCE_READS.reads,
    });
    return items.slice(0, limit).map((item) => StoredIncident.parse(item));
  }

  /**
   * A page's incidents, newest first, from `startKey`: a filter may leave a read of the index short, so
   * read on until `want` are found, at most `maxReads` times. Where the reads stopped, to go on from.
   */
  private async readPageIndex(
    pageId: string,
    query: {
      filter?: string;
      names?: Record<string, string>;
      values?: Record<string, unknown>;
      startKey?: Record<string, unknown>;
      want: number;
      perRead: number;
      maxReads: number;
    },
  ) {
    const items: Record<string, unknown>[] = [];
    let startKey = query.startKey;
    let reads = 0;
    do {
      reads++;
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INCIDENTS_BY_PAGE,
          KeyConditionExpression: 'pageId = :page',
          ...(query.filter ? { FilterExpression: query.filter } : {}),
          ...(query.names ? { ExpressionAttributeNames: query.names } : {}),
          ExpressionAttributeValues: { ':page': pageId, ...query.values },
          ScanIndexForward: false,
          ExclusiveStartKey: startKey,
          Limit: query.perRead,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < query.want && reads < query.maxReads);
    return { items, startKey };
  }

  private items(incidentId: string): Promise<Record<string, unknown>[]> {
    return queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': incidentId },
      ConsistentRead: true,
    });
  }

  async beginFanout(incidentId: string, updateId: string): Promise<{ resumed: boolean }> {
    const result = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: incidentId, sk: updateSk(updateId) },
        UpdateExpression: 'ADD fanoutAttempts :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return { resumed: Number(result.Attributes?.fanoutAttempts ?? 0) > 0 };
  }

  async completeFanout(
    incidentId: string,
    updateId: string,
    { audienceSize, batches }: { audienceSize: number; batches: number },
  ): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: incidentId, sk: updateSk(updateId) },
        // SET, not ADD: a retried fan-out recounts the same audience. Listed as unsettled until the sweep
        // finds nothing of it pending.
        UpdateExpression:
          'SET audienceSize = :size, batchCount = :batches, fanoutCompletedAt = :now, #unsettled = :unsettled',
        ExpressionAttributeNames: { '#unsettled': UNSETTLED_INDEX.partitionKey },
        ExpressionAttributeValues: {
          ':size': audienceSize,
          ':batches': batches,
          ':now': new Date().toISOString(),
          ':unsettled': UNSETTLED,
        },
      }),
    );
  }

  async addSendCounts(incidentId: string, updateId: string, counts: SendCounts) {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: incidentId, sk: updateSk(updateId) },
        UpdateExpression:
          'ADD sentCount :sent, failedCount :failed, skippedCount :skipped SET lastSendAt = :now',
        ExpressionAttributeValues: {
          ':sent': counts.sent,
          ':failed': counts.failed,
          ':skipped': counts.skipped,
          ':now': new Date().toISOString(),
        },
      }),
    );
  }

  async unsettledUpdates(): Promise<UnsettledUpdate[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: UNSETTLED_INDEX.name,
      KeyConditionExpression: '#unsettled = :unsettled',
      ExpressionAttributeNames: { '#unsettled': UNSETTLED_INDEX.partitionKey },
      ExpressionAttributeValues: { ':unsettled': UNSETTLED },
    });
    const number = (value: unknown) => (typeof value === 'number' ? value : 0);
    return items.map((item) => {
      const completed = String(item.fanoutCompletedAt ?? '');
      const lastSend = typeof item.lastSendAt === 'string' ? item.lastSendAt : '';
      return {
        incidentId: String(item.incidentId),
        updateId: String(item.updateId),
        matched: number(item.audienceSize),
        ...(typeof item.batchCount === 'number' ? { batches: item.batchCount } : {}),
        sent: number(item.sentCount),
        failed: number(item.failedCount),
        skipped: number(item.skippedCount),
        lastActivityAt: lastSend > completed ? lastSend : completed,
      };
    });
  }

  async settle(incidentId: string, updateId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: incidentId, sk: updateSk(updateId) },
        UpdateExpression: 'REMOVE #unsettled SET settledAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#unsettled': UNSETTLED_INDEX.partitionKey },
        ExpressionAttributeValues: { ':now': new Date().toISOString() },
      }),
    );
  }

  async addOutcome(incidentId: string, updateId: string, outcome: DeliveryOutcome): Promise<void> {
    const counter = {
      delivered: 'deliveredCount',
      bounced: 'bouncedCount',
      'soft-bounced': 'softBouncedCount',
      complained: 'complainedCount',
      rejected: 'rejectedCount',
    }[outcome];
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: incidentId, sk: updateSk(updateId) },
        UpdateExpression: `ADD ${counter} :one`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }

  async updateCounts(incidentId: string): Promise<Map<string, UpdateCounts>> {
    const items = await this.items(incidentId);
    const number = (value: unknown) => (typeof value === 'number' ? value : 0);
    return new Map(
      items
        .filter((item) => item.sk !== META)
        .map((item) => [
          String(item.updateId),
          {
            matched: number(item.audienceSize),
            sent: number(item.sentCount),
            failed: number(item.failedCount),
            skipped: number(item.skippedCount),
            outcomes: {
              delivered: number(item.deliveredCount),
              bounced: number(item.bouncedCount),
              'soft-bounced': number(item.softBouncedCount),
              complained: number(item.complainedCount),
              rejected: number(item.rejectedCount),
            },
          },
        ]),
    );
  }
}
