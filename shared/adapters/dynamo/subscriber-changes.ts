import { randomBytes } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SubscriberChangeSet, SubscriberChanges } from '../../ports';
import { queryAll } from './batch';
import { isConditionFailure } from './expressions';

/** How far back the log answers; a sender asking about older batches reads every recipient instead. */
export const CHANGE_LOG_REACH_MS = 24 * 3_600_000;
/** Entries outlive the reach by a day, so none is missing while it is asked about. */
const RETENTION_SECONDS = 2 * 86_400;

const DAY_MS = 86_400_000;
/**
 * How far ahead of the reader's a writer's clock may run: its entry is filed under its own day, which is
 * tomorrow only this close to midnight. As far as the sender looks back for clocks behind (ten minutes).
 */
export const WRITER_CLOCK_AHEAD_MS = 10 * 60_000;
/**
 * Where the log says since when it is kept: `at`, in milliseconds; 0 for tables this version created.
 * Absent (upgraded from a version without the log): the first sender to look writes it, with its time.
 */
export const CHANGE_LOG_START = { pk: 'SUBSCRIBERCHANGE#START', sk: 'START' };
/**
 * After an upgrade, the log is trusted only from an hour after the first sender of this version ran:
 * the deploy's canary runs older writers beside it, and batches fanned out before were never logged.
 */
export const CHANGE_LOG_GRACE_MS = 60 * 60_000;
const partitionOf = (day: string) => `SUBSCRIBERCHANGE#${day}`;
const dayOf = (at: Date) => at.toISOString().slice(0, 10);

/** Who or what changed: a subscriber (status, links, time zone, address, erasure), an address, or both. */
export interface SubscriberChange {
  subscriberId?: string;
  email?: string;
}

/**
 * The log entry of a change, for the transaction that makes the change: written together or not at all,
 * so a sender that finds no entry knows nothing changed.
 */
export function subscriberChangeWrite(tableName: string, change: SubscriberChange, at = new Date()) {
  return {
    Put: {
      TableName: tableName,
      Item: {
        pk: partitionOf(dayOf(at)),
        sk: `${at.toISOString()}#${randomBytes(6).toString('base64url')}`,
        ...change,
        expiresAt: Math.floor(at.getTime() / 1000) + RETENTION_SECONDS,
      },
    },
  };
}

/**
 * A log of the changes that alter what a sender does with a recipient it was handed: unsubscribes,
 * confirmations, erasures, replaced link nonces, time zones, suppressions added or lifted. One partition
 * of the subscribers table per day, in time order. A sender reads what happened since its batches were
 * written, once per invocation, and reads the profile and suppression of only those recipients, where it
 * used to read them for every recipient.
 */
export class DynamoSubscriberChanges implements SubscriberChanges {
  /** From when the log answers for every change; read once per container. */
  private trustedFrom: Promise<number> | undefined;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async since(from: Date): Promise<SubscriberChangeSet | undefined> {
    const now = this.now();
    if (now.getTime() - from.getTime() > CHANGE_LOG_REACH_MS) return undefined;
    this.trustedFrom ??= this.readStart().catch((error: unknown) => {
      this.trustedFrom = undefined;
      throw error;
    });
    if (from.getTime() < (await this.trustedFrom)) return undefined;
    // Through the day a writer whose clock runs ahead of ours may be in: tomorrow, near midnight.
    const days: string[] = [];
    const firstDay = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
    const lastDay = now.getTime() + WRITER_CLOCK_AHEAD_MS;
    for (let t = firstDay; t <= lastDay; t += DAY_MS) days.push(dayOf(new Date(t)));
    const changes: SubscriberChangeSet = { subscriberIds: new Set(), emails: new Set() };
    for (const day of days) {
      const items = await queryAll(this.client, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk >= :from',
        ExpressionAttributeValues: { ':pk': partitionOf(day), ':from': from.toISOString() },
        ProjectionExpression: '#id, #email',
        ExpressionAttributeNames: { '#id': 'subscriberId', '#email': 'email' },
        ConsistentRead: true,
      });
      for (const item of items) {
        if (typeof item.subscriberId === 'string') changes.subscriberIds.add(item.subscriberId);
        if (typeof item.email === 'string') changes.emails.add(item.email);
      }
    }
    return changes;
  }

  private async readStart(): Promise<number> {
    const read = async () =>
      (
        await this.client.send(
          new GetCommand({ TableName: this.tableName, Key: CHANGE_LOG_START, ConsistentRead: true }),
        )
      ).Item;
    let start = await read();
    if (!start) {
      try {
        const at = this.now().getTime();
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...CHANGE_LOG_START, at },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        start = { at };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        start = await read();
      }
    }
    const at = Number(start?.at ?? Number.NaN);
    if (!Number.isFinite(at)) throw new Error('the change log start item has no time');
    return at === 0 ? 0 : at + CHANGE_LOG_GRACE_MS;
  }
}
