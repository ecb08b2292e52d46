import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type Endpoint,
  EndpointFormat,
  EndpointHealth,
  endpointKey,
  SigningSecret,
  THREADS_KEPT,
} from '../../domain/endpoint';
import * as z from '../../domain/zod';
import { AppError } from '../../errors';
import type { Endpoints, HealthChange } from '../../ports';
import { batchGetAll, chunk, eachConcurrently } from './batch';
import { ENDPOINT_SK } from './subscribers';

/*
 * An endpoint subscriber's credentials, in the subscribers table beside its profile (`pk` the subscriber,
 * `sk` `ENDPOINT`): its URL and signing secrets sealed with AES-256-GCM under a key derived from the
 * deployment's channel sealing secret (CHANNEL_SEALING_SECRET), so that neither is readable in the table, its backups, its exports
 * or its stream; its format and health in the clear. Erasing the subscriber deletes the item.
 */

const Sealed = z.object({ url: z.string(), secrets: z.array(SigningSecret).check(z.minLength(1)) });
const EndpointItem = z.object({
  pk: z.string(),
  format: EndpointFormat,
  sealed: z.string(),
  health: EndpointHealth,
  threads: z.optional(z.record(z.string(), z.string())),
});

export class DynamoEndpoints implements Endpoints {
  private readonly key: Buffer;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The deployment's channel sealing secret: the sealing key is derived from it. */
    private readonly sealingSecret: string,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', sealingSecret, 'status-notifier', 'endpoint credentials', 32));
  }

  keyOf(url: string): string {
    return endpointKey(url, this.sealingSecret);
  }

  async create(endpoint: Endpoint): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: this.itemOf(endpoint) }));
  }

  /** The item an endpoint is kept as, its credentials sealed. */
  itemOf(endpoint: Endpoint) {
    return {
      pk: endpoint.subscriberId,
      sk: ENDPOINT_SK,
      format: endpoint.format,
      sealed: this.seal({ url: endpoint.url, secrets: endpoint.secrets }),
      health: endpoint.health,
      ...(endpoint.threads ? { threads: endpoint.threads } : {}),
    };
  }

  async get(subscriberId: string): Promise<Endpoint | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: subscriberId, sk: ENDPOINT_SK },
        ConsistentRead: true,
      }),
    );
    return Item ? this.endpointOf(Item) : undefined;
  }

  async getMany(subscriberIds: readonly string[]): Promise<Map<string, Endpoint>> {
    const items = await batchGetAll(
      this.client,
      this.tableName,
      [...new Set(subscriberIds)].map((pk) => ({ pk, sk: ENDPOINT_SK })),
      { consistent: true },
    );
    return new Map(items.map((item) => this.endpointOf(item)).map((e) => [e.subscriberId, e]));
  }

  private endpointOf(stored: Record<string, unknown>): Endpoint {
    const item = EndpointItem.parse(stored);
    return {
      subscriberId: item.pk,
      format: item.format,
      health: item.health,
      ...(item.threads ? { threads: item.threads } : {}),
      ...this.open(item.sealed),
    };
  }

  async recordHealth(subscriberId: string, health: EndpointHealth, over?: EndpointHealth): Promise<boolean> {
    return this.client
      .send(new UpdateCommand({ TableName: this.tableName, ...healthUpdate({ subscriberId, health, over }) }))
      .then(() => true)
      .catch((error: unknown) => {
        // Erased meanwhile, or its health changed since it was read (resumed): that change stands.
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
        return false;
      });
  }

  async recordThread(subscriberId: string, incidentId: string, threadId: string): Promise<void> {
    // One incident's post, set alone: two invocations keeping posts of different incidents both stand.
    const setOne = () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: subscriberId, sk: ENDPOINT_SK },
          UpdateExpression: 'SET threads.#incident = :thread',
          ConditionExpression: 'attribute_exists(threads)',
          ExpressionAttributeNames: { '#incident': incidentId },
          ExpressionAttributeValues: { ':thread': threadId },
          ReturnValues: 'ALL_NEW',
        }),
      );
    const failed = (error: unknown) =>
      (error as { name?: string }).name === 'ConditionalCheckFailedException';
    let kept: Record<string, string> | undefined;
    try {
      kept = (await setOne()).Attributes?.threads as Record<string, string> | undefined;
    } catch (error) {
      if (!failed(error)) throw error;
      // The first post it keeps: the map made with it (unless made meanwhile, or the endpoint erased).
      await this.client
        .send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: subscriberId, sk: ENDPOINT_SK },
            UpdateExpression: 'SET threads = :threads',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(threads)',
            ExpressionAttributeValues: { ':threads': { [incidentId]: threadId } },
          }),
        )
        .catch(async (again: unknown) => {
          if (!failed(again)) throw again;
          kept = (await setOne().catch((last: unknown) => (failed(last) ? undefined : Promise.reject(last))))
            ?.Attributes?.threads as Record<string, string> | undefined;
        });
    }
    // Past THREADS_KEPT, the oldest posts are forgotten: Discord's ids grow with time.
    const oldest = Object.entries(kept ?? {})
      .sort(([, a], [, b]) => (BigInt(a) < BigInt(b) ? -1 : 1))
      .slice(0, Math.max(0, Object.keys(kept ?? {}).length - THREADS_KEPT));
    if (oldest.length > 0)
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: subscriberId, sk: ENDPOINT_SK },
          UpdateExpression: `REMOVE ${oldest.map((_, n) => `threads.#old${n}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(oldest.map(([id], n) => [`#old${n}`, id])),
        }),
      );
  }

  async recordHealthMany(changes: readonly HealthChange[]): Promise<void> {
    // A hundred in one transaction, not a request each; one whose condition fails (resumed or erased
    // meanwhile) cancels its transaction, whose changes are then written one by one, that one left out.
    for (const part of chunk(changes, MAX_TRANSACTION_ITEMS)) {
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: part.map((change) => ({
              Update: { TableName: this.tableName, ...healthUpdate(change) },
            })),
          }),
        );
      } catch (error) {
        if ((error as { name?: string }).name !== 'TransactionCanceledException') throw error;
        await eachConcurrently(part, async (change) => {
          await this.recordHealth(change.subscriberId, change.health, change.over);
        });
      }
    }
  }

  async replaceSecrets(subscriberId: string, secrets: Endpoint['secrets']): Promise<void> {
    const current = await this.get(subscriberId);
    if (!current) throw new AppError('NOT_FOUND', 'no such webhook');
    // Conditional: an endpoint erased meanwhile is not brought back.
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: subscriberId, sk: ENDPOINT_SK },
        UpdateExpression: 'SET sealed = :sealed',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':sealed': this.seal({ url: current.url, secrets }) },
      }),
    );
  }

  async remove(subscriberId: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: subscriberId, sk: ENDPOINT_SK } }),
    );
  }

  /** `v1.<iv>.<ciphertext>.<tag>`, base64url: the version names the scheme, for a later key rotation. */
  private seal(credentials: z.infer<typeof Sealed>): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const text = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
    return ['v1', iv, text, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  private open(sealed: string): z.infer<typeof Sealed> {
    const [version, iv = '', text = '', tag = ''] = sealed.split('.');
    if (version !== 'v1') throw new Error(`endpoint credentials sealed with an unknown scheme (${version})`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(text, 'base64url')), decipher.final()]);
    return Sealed.parse(JSON.parse(plain.toString('utf8')));
  }
}

/** DynamoDB's limit of actions in one transaction. */
const MAX_TRANSACTION_ITEMS = 100;

/** An endpoint's new health, written only over `over` (as read) when given, and only while it exists. */
function healthUpdate({ subscriberId, health, over }: HealthChange) {
  return {
    Key: { pk: subscriberId, sk: ENDPOINT_SK },
    UpdateExpression: 'SET health = :health',
    ConditionExpression: over ? 'health = :over' : 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':health': health, ...(over ? { ':over': over } : {}) },
  };
}
