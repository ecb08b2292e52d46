import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedriveClients, redriveQueue } from '../../infra/cli/aws-redrive';
import { type BatchInfo, exitCode, matchesFilter, summarize } from '../../infra/cli/redrive';
import { functionSpecs } from '../../infra/functions';
import { LOCAL_REGION, localCredentials } from '../../infra/local/aws-local';
import { type LambdaHandler, lambdaContext } from '../../infra/local/lambda-context';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { isAbout, mailTo, uniqueEmail } from '../support/local-aws';
import { adminHeaders, startTestStack } from '../support/stack';

// The AWS redrive against the real pieces that run here: the deliveries stream of DynamoDB Local, the
// real sender handler and the SES emulator. SQS and Lambda's Invoke cannot run here: small fakes stand in.
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/aws/sender-on-failure.json', import.meta.url), 'utf8'),
) as Message;
const senderFilter = functionSpecs.sender.stream.filter;

let stack: LocalStack;
let sender: LambdaHandler;
let streams: DynamoDBStreamsClient;
let dynamodb: DynamoDBClient;
let streamArn: string;

beforeAll(async () => {
  stack = await startTestStack('rq');
  // Nothing consumes the deliveries stream but the redrive: as if every sender invocation had failed.
  await stack.pollers.sender?.stop();
  sender = (await import('../../functions/sender')).handler;
  const config = { endpoint: stack.dynamodbEndpoint, region: LOCAL_REGION, credentials: localCredentials };
  streams = new DynamoDBStreamsClient(config);
  dynamodb = new DynamoDBClient(config);
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: stack.tables.deliveries }));
  streamArn = Table!.LatestStreamArn!;
});
afterAll(async () => {
  streams?.destroy();
  dynamodb?.destroy();
  await stack?.stop();
});

/** SQS as far as the redrive uses it: receive with a hold, delete by receipt handle, release. */
class FakeQueue {
  readonly url =
    'https://sqs.us-east-1.amazonaws.com/123456789012/StatusNotifierCompute-SenderFailures1F2E3D4C-AbCdEfGhIjKl';
  readonly deleted: string[] = [];
  readonly holds: number[] = [];
  /** SQS refusing deletes (the hold ran out and another reader has the message, throttling...). */
  refuseDeletes = false;
  private readonly messages = new Map<string, { body: string; receipt?: string; hiddenUntil: number }>();

  put(body: string): string {
    const id = randomUUID();
    this.messages.set(id, { body, hiddenUntil: 0 });
    return id;
  }

  /** Messages a reader would get now. */
  get visible(): string[] {
    return [...this.messages].filter(([, m]) => m.hiddenUntil <= Date.now()).map(([id]) => id);
  }

  send = async (command: unknown): Promise<unknown> => {
    if (command instanceof ReceiveMessageCommand) {
      const { MaxNumberOfMessages = 1, VisibilityTimeout = 30 } = command.input;
      this.holds.push(VisibilityTimeout);
      const Messages = this.visible.slice(0, MaxNumberOfMessages).map((id) => {
        const message = this.messages.get(id)!;
        message.receipt = `receipt-${randomUUID()}`;
        message.hiddenUntil = Date.now() + VisibilityTimeout * 1000;
        return { ...fixture, MessageId: id, ReceiptHandle: message.receipt, Body: message.body };
      });
      return { Messages };
    }
    const held = (receipt: string | undefined) =>
      [...this.messages].find(([, m]) => m.receipt !== undefined && m.receipt === receipt);
    if (command instanceof DeleteMessageCommand) {
      if (this.refuseDeletes) throw new Error('Rate exceeded');
      const [id] = held(command.input.ReceiptHandle) ?? [];
      if (!id) throw new Error('ReceiptHandleIsInvalid');
      this.messages.delete(id);
      this.deleted.push(id);
      return {};
    }
    if (command instanceof ChangeMessageVisibilityCommand) {
      const [, message] = held(command.input.ReceiptHandle) ?? [];
      if (!message) throw new Error('ReceiptHandleIsInvalid');
      message.hiddenUntil = Date.now() + (command.input.VisibilityTimeout ?? 0) * 1000;
      return {};
    }
    throw new Error(`FakeQueue: unexpected ${String(command)}`);
  };
}

/** Lambda's synchronous Invoke of the deployed sender: the real handler, or a regression while `broken`. */
function fakeLambda() {
  const invocations: Array<{ functionName?: string; type?: string; records: any[] }> = [];
  const lambda = {
    broken: false,
    invocations,
    send: async (command: unknown) => {
      if (!(command instanceof InvokeCommand)) throw new Error(`fakeLambda: unexpected ${String(command)}`);
      const { FunctionName, InvocationType, Payload } = command.input;
      if (typeof Payload !== 'string') throw new Error('fakeLambda: expected a JSON payload');
      const event = JSON.parse(Payload);
      invocations.push({ functionName: FunctionName, type: InvocationType, records: event.Records });
      const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
      try {
        if (lambda.broken) throw new TypeError("Cannot read properties of undefined (reading 'subject')");
        const result = await sender(event, lambdaContext('sender', functionSpecs.sender.timeoutSeconds));
        return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: encode(result ?? null) };
      } catch (error) {
        const { name, message } = error as Error;
        return {
          StatusCode: 200,
          ExecutedVersion: '$LATEST',
          FunctionError: 'Unhandled',
          Payload: encode({ errorType: name, errorMessage: message, trace: [] }),
        };
      }
    },
  };
  return lambda;
}

function clients(queue: FakeQueue, lambda: ReturnType<typeof fakeLambda>, streamsClient = streams) {
  return {
    sqs: queue as unknown as SQSClient,
    streams: streamsClient,
    lambda: lambda as unknown as LambdaClient,
  } satisfies RedriveClients;
}

/** Every record of the deliveries stream so far. */
async function streamRecords(): Promise<Array<StreamRecord & { shardId: string }>> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const all: Array<StreamRecord & { shardId: string }> = [];
  for (const { ShardId } of StreamDescription?.Shards ?? []) {
    let { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    while (ShardIterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator }));
      all.push(...(page.Records ?? []).map((record) => ({ ...record, shardId: ShardId! })));
      if (!page.Records?.length) break;
      ShardIterator = page.NextShardIterator;
    }
  }
  return all;
}

/** The batch Lambda would name in its on-failure record for these records. */
function batchOf(records: Array<StreamRecord & { shardId: string }>, batchSize = records.length): BatchInfo {
  const first = records[0]!;
  const last = records.at(-1)!;
  return {
    shardId: first.shardId,
    startSequenceNumber: first.dynamodb!.SequenceNumber!,
    endSequenceNumber: last.dynamodb!.SequenceNumber!,
    approximateArrivalOfFirstRecord: first.dynamodb!.ApproximateCreationDateTime!.toISOString(),
    approximateArrivalOfLastRecord: last.dynamodb!.ApproximateCreationDateTime!.toISOString(),
    batchSize,
    streamArn,
  };
}

/** The recorded on-failure message, pointing at a batch of this stream. */
function onFailureBody(info: BatchInfo): string {
  const body = JSON.parse(fixture.Body!);
  return JSON.stringify({ ...body, DDBStreamBatchInfo: info });
}

/**
 * New subscribers and a new incident update: the fan-out writes send batches holding each subscriber of
 * the suite (earlier tests' too), and since nothing reads the deliveries stream, they wait there, unsent.
 */
async function unsentDeliveries(subscribers: number) {
  const marker = `rq${randomUUID().slice(0, 8)}`;
  const emails = Array.from({ length: subscribers }, () => uniqueEmail(marker));
  for (const email of emails) {
    const created = await fetch(`${stack.apiUrl}/v1/admin/subscribers`, {
      method: 'POST',
      headers: adminHeaders,
      body: JSON.stringify({ email, topics: [{ pageId: PAGE_ID, componentId: US_CHAT }], confirmed: true }),
    });
    expect(created.status).toBe(201);
  }
  const seed = {
    ...chatMessagesMayFail,
    id: marker,
    name: `[${marker}] ${chatMessagesMayFail.name}`,
    updates: chatMessagesMayFail.updates.map((u) => ({ ...u, id: `${u.id}${marker}` })),
  };
  const posted = await fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(incidentWebhook(seed, 1)),
  });
  expect(posted.ok).toBe(true);
  await stack.waitForIdle();
  const records = (await streamRecords()).filter(
    (r) => matchesFilter(r, senderFilter) && r.dynamodb?.NewImage?.incidentId?.S?.endsWith(`:${marker}`),
  );
  expect(records.length).toBeGreaterThanOrEqual(1);
  const mail = async () =>
    (await mailTo(emails)).filter((m) => isAbout(m, `statuspage:${PAGE_ID}:${marker}`));
  return { emails, records, mail };
}

describe('status-notifier redrive --queue (AWS)', () => {
  it('keeps the message while the function still fails, replays the batch once it is fixed, and never sends twice', async () => {
    const { records, mail, emails } = await unsentDeliveries(2);
    const queue = new FakeQueue();
    const lambda = fakeLambda();
    const info = batchOf(records);
    const messageId = queue.put(onFailureBody(info));

    // The regression is still deployed: the replay fails, the message stays and is visible again at once.
    lambda.broken = true;
    const failing = await redriveQueue(clients(queue, lambda), { queueUrl: queue.url });
    expect(failing).toEqual([
      expect.objectContaining({
        messageId,
        status: 'failing',
        reason:
          "function error (Unhandled): TypeError: Cannot read properties of undefined (reading 'subject')",
      }),
    ]);
    expect(queue.deleted).toEqual([]);
    expect(queue.visible).toEqual([messageId]);
    expect(await mail()).toEqual([]);
    expect(exitCode(failing)).toBe(2);

    // Fixed: the batch is read back from the stream, the same function gets it, the message goes.
    lambda.broken = false;
    const replayed = await redriveQueue(clients(queue, lambda), { queueUrl: queue.url });
    expect(replayed).toEqual([expect.objectContaining({ messageId, status: 'replayed' })]);
    expect(queue.deleted).toEqual([messageId]);
    expect(queue.visible).toEqual([]);
    expect(exitCode(replayed)).toBe(0);
    const invocation = lambda.invocations.at(-1)!;
    expect(invocation).toMatchObject({
      functionName: JSON.parse(fixture.Body!).requestContext.functionArn,
      type: 'RequestResponse',
    });
    expect(invocation.records.map((r) => r.dynamodb.SequenceNumber)).toEqual(
      records.map((r) => r.dynamodb!.SequenceNumber),
    );
    expect(invocation.records[0]).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: streamArn,
      dynamodb: { ApproximateCreationDateTime: expect.any(Number), NewImage: { kind: { S: 'sendBatch' } } },
    });
    const sent = await mail();
    expect(sent.flatMap((m) => m.destination.to).sort()).toEqual([...emails].sort());

    // The same on-failure record again (Lambda's destinations deliver at least once): replayed, nothing sent.
    const again = queue.put(onFailureBody(info));
    expect(await redriveQueue(clients(queue, lambda), { queueUrl: queue.url })).toEqual([
      expect.objectContaining({ messageId: again, status: 'replayed' }),
    ]);
    expect(await mail()).toHaveLength(2);
  });

  it('says so when a replayed batch cannot be deleted, and the next run replays it harmlessly', async () => {
    const { records, mail, emails } = await unsentDeliveries(1);
    const queue = new FakeQueue();
    const lambda = fakeLambda();
    const messageId = queue.put(onFailureBody(batchOf(records)));
    queue.refuseDeletes = true;
    const first = await redriveQueue(clients(queue, lambda), { queueUrl: queue.url });
    expect(first).toEqual([
      expect.objectContaining({
        messageId,
        status: 'failing',
        reason: 'replayed, but deleting the message failed (Rate exceeded): a later run replays it again',
      }),
    ]);
    expect(await mail()).toHaveLength(emails.length);
    queue.refuseDeletes = false;
    expect(await redriveQueue(clients(queue, lambda), { queueUrl: queue.url })).toEqual([
      expect.objectContaining({ messageId, status: 'replayed' }),
    ]);
    expect(queue.deleted).toEqual([messageId]);
    expect(await mail()).toHaveLength(emails.length);
  });

  it('keeps the message when the function reports a record of the batch as failed', async () => {
    const db = createDocumentClient(dynamodb);
    const pk = `poison-${randomUUID().slice(0, 8)}`;
    // A send batch the sender cannot read: it reports it, as it would on every retry in AWS.
    await db.send(
      new PutCommand({ TableName: stack.tables.deliveries, Item: { pk, sk: 'x', kind: 'sendBatch' } }),
    );
    const records = (await streamRecords()).filter((r) => r.dynamodb?.Keys?.pk?.S === pk);
    const queue = new FakeQueue();
    const lambda = fakeLambda();
    const messageId = queue.put(onFailureBody(batchOf(records)));

    const outcomes = await redriveQueue(clients(queue, lambda), { queueUrl: queue.url });
    expect(outcomes).toEqual([
      expect.objectContaining({ messageId, status: 'failing', reason: '1 record(s) reported as failed' }),
    ]);
    expect(queue.deleted).toEqual([]);
    expect(queue.visible).toEqual([messageId]);
  });

  it('reports batches the stream no longer has, keeps their messages and invokes nothing', async () => {
    const { records, mail } = await unsentDeliveries(2);
    const queue = new FakeQueue();
    const lambda = fakeLambda();
    // Records trimmed from a shard that lives on: fewer left than the batch had.
    const partly = queue.put(onFailureBody(batchOf(records, records.length + 1)));
    // A shard that is gone (shards are deleted once their records expire).
    const shardGone = queue.put(
      onFailureBody({ ...batchOf(records), shardId: 'shardId-00000001600000000000-0a0b0c0d' }),
    );
    // A position older than 24 hours: DynamoDB Local never trims, so its answer is staged here.
    const trimmedSeq = '000000000000000000001';
    const trimmed = queue.put(onFailureBody({ ...batchOf(records), startSequenceNumber: trimmedSeq }));
    const trimming = {
      send: (command: any) =>
        command instanceof GetShardIteratorCommand && command.input.SequenceNumber === trimmedSeq
          ? Promise.reject(
              new TrimmedDataAccessException({
                message: 'the requested data is no longer available',
                $metadata: {},
              }),
            )
          : streams.send(command),
    } as unknown as DynamoDBStreamsClient;

    const outcomes = await redriveQueue(clients(queue, lambda, trimming), { queueUrl: queue.url });
    const byId = Object.fromEntries(outcomes.map((o) => [o.messageId, o]));
    expect(byId[partly]).toMatchObject({
      status: 'gone',
      reason: `${records.length} of ${records.length + 1} records are still in the stream`,
    });
    expect(byId[shardGone]).toMatchObject({
      status: 'gone',
      reason: expect.stringMatching(/shard no longer exists/),
    });
    expect(byId[trimmed]).toMatchObject({
      status: 'gone',
      reason: 'its records are older than the stream keeps (24 hours)',
    });
    expect(lambda.invocations).toEqual([]);
    expect(queue.deleted).toEqual([]);
    expect(queue.visible.sort()).toEqual([partly, shardGone, trimmed].sort());
    expect(await mail()).toEqual([]);
    expect(summarize(outcomes, false)).toContain('the pending-delivery sweep brings their send batches back');
    expect(exitCode(outcomes)).toBe(2);
  });

  it('lists what a dry run would replay, and leaves the queue and the subscribers as they were', async () => {
    const { records, mail } = await unsentDeliveries(1);
    const queue = new FakeQueue();
    const lambda = fakeLambda();
    const messageId = queue.put(onFailureBody(batchOf(records)));
    const notOurs = queue.put(JSON.stringify({ 'detail-type': 'SES Bounce', source: 'aws.ses', detail: {} }));

    const outcomes = await redriveQueue(clients(queue, lambda), { queueUrl: queue.url, dryRun: true });
    expect(outcomes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          messageId,
          status: 'would-replay',
          keys: records.map((r) => `${r.dynamodb!.Keys!.pk!.S} ${r.dynamodb!.Keys!.sk!.S}`),
        }),
        expect.objectContaining({ messageId: notOurs, status: 'unreadable' }),
      ]),
    );
    expect(lambda.invocations).toEqual([]);
    expect(queue.visible.sort()).toEqual([messageId, notOurs].sort());
    expect(queue.holds.every((seconds) => seconds === functionSpecs.sender.timeoutSeconds + 60)).toBe(true);
    expect(await mail()).toEqual([]);
  });
});
