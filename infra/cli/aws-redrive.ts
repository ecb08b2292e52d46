import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type FunctionName, functionSpecs } from '../functions';
import { toLambdaRecord } from '../lambda-stream';
import {
  type BatchInfo,
  compareSequence,
  inBatch,
  invocationVerdict,
  type Outcome,
  planBatch,
  readFailure,
  recordKey,
  STREAM_FUNCTIONS,
  streamFilterOf,
  streamFunctionIn,
} from './redrive';

/** The three services a redrive touches; passed in, so tests can stand in for what cannot run here. */
export interface RedriveClients {
  sqs: Pick<SQSClient, 'send'>;
  streams: Pick<DynamoDBStreamsClient, 'send'>;
  lambda: Pick<LambdaClient, 'send'>;
}

export interface RedriveOptions {
  queueUrl: string;
  /** The function to invoke; by default the one each message names (the function that failed). */
  functionName?: string;
  /** Whose event filter picks the batch's records out of the shard; by default read from the names. */
  source?: FunctionName;
  /** List what would be replayed; invoke nothing, delete nothing. */
  dryRun?: boolean;
  /** Messages to handle at most in one run. */
  maxMessages?: number;
}

/** Pages of GetRecords read for one batch at most, and empty pages in a row before giving up. */
const MAX_PAGES = 200;
const MAX_EMPTY_PAGES = 5;

/**
 * Redrives the on-failure queue of a stream function: for each message, reads the batch it points at
 * from the stream, invokes the function with it synchronously, and deletes the message only when the
 * function succeeded for every record. Messages kept are made visible again when the run ends.
 */
export async function redriveQueue(
  clients: RedriveClients,
  options: RedriveOptions,
  onOutcome: (outcome: Outcome) => void = () => {},
): Promise<Outcome[]> {
  const max = options.maxMessages ?? 100;
  const seen = new Set<string>();
  const kept: string[] = [];
  const outcomes: Outcome[] = [];
  const named = options.source ?? streamFunctionIn([options.functionName, options.queueUrl]);
  try {
    while (outcomes.length < max) {
      const { Messages = [] } = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: Math.min(10, max - outcomes.length),
          WaitTimeSeconds: 1,
          // Hidden from other readers while the function runs; released at the end if kept.
          VisibilityTimeout: visibilityTimeout(named),
        }),
      );
      // A message seen already is back because its hold ran out: this run has handled the queue.
      const fresh = Messages.filter((m) => m.MessageId && !seen.has(m.MessageId));
      if (fresh.length === 0) break;
      for (const message of fresh) {
        seen.add(message.MessageId ?? '');
        let outcome = await redriveMessage(clients, options, message);
        if (outcome.status === 'replayed')
          outcome = await remove(clients, options.queueUrl, message, outcome);
        if (outcome.status !== 'replayed' && message.ReceiptHandle) kept.push(message.ReceiptHandle);
        outcomes.push(outcome);
        onOutcome(outcome);
      }
    }
  } finally {
    await release(clients, options.queueUrl, kept);
  }
  return outcomes;
}

async function redriveMessage(
  clients: RedriveClients,
  options: RedriveOptions,
  message: Message,
): Promise<Outcome> {
  const messageId = message.MessageId ?? '?';
  const read = readFailure(message.Body);
  if ('problem' in read) return { messageId, status: 'unreadable', reason: read.problem };
  const { failure } = read;
  const info = failure.DDBStreamBatchInfo;
  const functionName = options.functionName ?? failure.requestContext.functionArn;
  const source =
    options.source ??
    streamFunctionIn([options.functionName, failure.requestContext.functionArn, options.queueUrl]);
  const filter = source && streamFilterOf(source);
  if (!source || !filter) {
    return {
      messageId,
      status: 'unreadable',
      reason: `cannot tell whose batch this is (${STREAM_FUNCTIONS.join(' or ')}): pass --source`,
    };
  }
  const plan = planBatch(info, await readBatch(clients.streams, info, (r) => inBatch(r, info, filter)));
  if (plan.kind === 'gone') return { messageId, status: 'gone', source, info, reason: plan.reason };
  if (options.dryRun) {
    return { messageId, status: 'would-replay', functionName, info, keys: plan.records.map(recordKey) };
  }
  const verdict = await invoke(clients.lambda, functionName, {
    Records: plan.records.map((record) => toLambdaRecord(record, info.streamArn)),
  });
  return verdict.ok
    ? { messageId, status: 'replayed', functionName, info }
    : { messageId, status: 'failing', functionName, info, reason: verdict.reason };
}

/**
 * The batch's records, read from the shard at its first sequence number until past its last one, or
 * why they cannot be read: a position older than the stream keeps is trimmed, an old shard is gone.
 */
async function readBatch(
  streams: RedriveClients['streams'],
  info: BatchInfo,
  belongs: (record: StreamRecord) => boolean,
): Promise<StreamRecord[] | { unreadable: string }> {
  const records: StreamRecord[] = [];
  try {
    let { ShardIterator: iterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: info.streamArn,
        ShardId: info.shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        SequenceNumber: info.startSequenceNumber,
      }),
    );
    for (let page = 0, empty = 0; iterator && page < MAX_PAGES && empty < MAX_EMPTY_PAGES; page++) {
      const { Records = [], NextShardIterator } = await streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }),
      );
      records.push(...Records.filter(belongs));
      const last = Records.at(-1)?.dynamodb?.SequenceNumber;
      if (last && compareSequence(last, info.endSequenceNumber) >= 0) break;
      empty = Records.length === 0 ? empty + 1 : 0;
      iterator = NextShardIterator;
    }
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'TrimmedDataAccessException')
      return { unreadable: 'its records are older than the stream keeps (24 hours)' };
    if (name === 'ResourceNotFoundException')
      return { unreadable: `the stream or its shard no longer exists (${(error as Error).message})` };
    throw error;
  }
  return records;
}

async function invoke(lambda: RedriveClients['lambda'], functionName: string, event: { Records: unknown[] }) {
  try {
    const response = await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: JSON.stringify(event),
      }),
    );
    return invocationVerdict(response.FunctionError, Buffer.from(response.Payload ?? []).toString('utf8'));
  } catch (error) {
    // The invocation itself failed (throttled, not found, no permission): the message stays.
    return {
      ok: false as const,
      reason: `invoke failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** Deletes a replayed batch's message; if that fails, a later run replays the batch again, harmlessly. */
async function remove(
  clients: RedriveClients,
  queueUrl: string,
  message: Message,
  outcome: Extract<Outcome, { status: 'replayed' }>,
): Promise<Outcome> {
  try {
    await clients.sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
    );
    return outcome;
  } catch (error) {
    const reason = `replayed, but deleting the message failed (${error instanceof Error ? error.message : String(error)}): a later run replays it again`;
    return { ...outcome, status: 'failing', reason };
  }
}

/** Makes kept messages visible again now, for the alarm and the next run, rather than after their hold. */
async function release(clients: RedriveClients, queueUrl: string, receiptHandles: string[]) {
  for (const receiptHandle of receiptHandles) {
    await clients.sqs
      .send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: 0,
        }),
      )
      // A hold that ran out already needs no release.
      .catch(() => undefined);
  }
}

/** Long enough for the function to finish one batch, with a minute to spare. */
function visibilityTimeout(source: FunctionName | undefined): number {
  const timeouts = (source ? [source] : STREAM_FUNCTIONS).map((name) => functionSpecs[name].timeoutSeconds);
  return Math.max(...timeouts) + 60;
}
