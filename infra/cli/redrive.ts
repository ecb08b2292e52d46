import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { z } from 'zod';
import { type FunctionName, functionSpecs, passesStreamFilter, type StreamFilter } from '../functions';

/**
 * The decisions of `status-notifier redrive`, kept pure: what an on-failure message says, which stream
 * records belong to its batch, whether the batch is still whole, and whether a replay succeeded. The
 * AWS calls are in `aws-redrive.ts`.
 */

/** Lambda's on-failure record for a DynamoDB stream batch: the body of a message in a `<Fn>Failures` queue. */
export const StreamBatchFailure = z.object({
  requestContext: z.looseObject({
    functionArn: z.string().min(1),
    condition: z.string().optional(),
    approximateInvokeCount: z.number().optional(),
  }),
  responseContext: z.looseObject({ functionError: z.string().nullish() }).optional(),
  version: z.string(),
  timestamp: z.string(),
  DDBStreamBatchInfo: z.object({
    shardId: z.string().min(1),
    startSequenceNumber: z.string().regex(/^\d+$/),
    endSequenceNumber: z.string().regex(/^\d+$/),
    approximateArrivalOfFirstRecord: z.string(),
    approximateArrivalOfLastRecord: z.string(),
    batchSize: z.number().int().positive(),
    streamArn: z.string().min(1),
  }),
});
export type StreamBatchFailure = z.infer<typeof StreamBatchFailure>;
export type BatchInfo = StreamBatchFailure['DDBStreamBatchInfo'];

/** A message body read as an on-failure record, or why it is not one (an SES event, a Kinesis batch...). */
export function readFailure(body: string | undefined): { failure: StreamBatchFailure } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    return { problem: 'the message body is not JSON' };
  }
  const parsed = StreamBatchFailure.safeParse(json);
  if (parsed.success) return { failure: parsed.data };
  return {
    problem: `not a DynamoDB stream batch: ${z.prettifyError(parsed.error).replace(/\s*\n\s*/g, '; ')}`,
  };
}

/** The functions a DynamoDB stream invokes, whose batches can be redriven. */
export const STREAM_FUNCTIONS = (Object.keys(functionSpecs) as FunctionName[]).filter(
  (name) => 'stream' in functionSpecs[name],
);

export function streamFilterOf(name: FunctionName): StreamFilter | undefined {
  const spec = functionSpecs[name];
  return 'stream' in spec ? spec.stream.filter : undefined;
}

/**
 * Which stream function a name, ARN or queue URL is about. Deployed names carry the construct id
 * (`...-SenderFunction1A2B...`, `...-SenderFailures3C4D...`), so the first hint naming exactly one wins.
 */
export function streamFunctionIn(hints: ReadonlyArray<string | undefined>): FunctionName | undefined {
  for (const hint of hints) {
    const named = STREAM_FUNCTIONS.filter((name) => hint?.toLowerCase().includes(name.toLowerCase()));
    if (named.length === 1) return named[0];
  }
  return undefined;
}

/** Stream sequence numbers are digit strings of varying length: compared as numbers. */
export function compareSequence(a: string, b: string): number {
  const [x, y] = [BigInt(a), BigInt(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The event filter of the function's event source mapping, as Lambda applies it. */
export function matchesFilter(record: StreamRecord, filter: StreamFilter): boolean {
  return passesStreamFilter(filter, record as Parameters<typeof passesStreamFilter>[1]);
}

/** Whether a record read from the shard belongs to the batch: in its range and passed by the filter. */
export function inBatch(record: StreamRecord, info: BatchInfo, filter: StreamFilter): boolean {
  const sequence = record.dynamodb?.SequenceNumber;
  return (
    sequence !== undefined &&
    compareSequence(sequence, info.startSequenceNumber) >= 0 &&
    compareSequence(sequence, info.endSequenceNumber) <= 0 &&
    matchesFilter(record, filter)
  );
}

export type BatchPlan =
  | { kind: 'replay'; records: StreamRecord[] }
  | { kind: 'gone'; found: number; expected: number; reason: string };

/**
 * Replays a batch only when every one of its records is still in the stream: a batch with records
 * missing (DynamoDB Streams keeps 24 hours) is reported and its message kept, never half-replayed.
 */
export function planBatch(info: BatchInfo, found: StreamRecord[] | { unreadable: string }): BatchPlan {
  if (!Array.isArray(found))
    return { kind: 'gone', found: 0, expected: info.batchSize, reason: found.unreadable };
  if (found.length === info.batchSize) return { kind: 'replay', records: found };
  return {
    kind: 'gone',
    found: found.length,
    expected: info.batchSize,
    reason: `${found.length} of ${info.batchSize} records are still in the stream`,
  };
}

const BatchResponse = z
  .object({ batchItemFailures: z.array(z.object({ itemIdentifier: z.string().nullish() })).nullish() })
  .nullish();
const ErrorPayload = z.looseObject({ errorType: z.string().optional(), errorMessage: z.string().optional() });

/**
 * A replay succeeded when the function raised no error and reported no failed record: only then is the
 * message deleted. An unreadable response counts as a failure.
 */
export function invocationVerdict(
  functionError: string | undefined,
  payload: string,
): { ok: true } | { ok: false; reason: string } {
  let json: unknown = null;
  try {
    json = payload ? JSON.parse(payload) : null;
  } catch {
    return { ok: false, reason: `unreadable response: ${payload.slice(0, 200)}` };
  }
  if (functionError) {
    const error = ErrorPayload.safeParse(json);
    const detail = error.success
      ? [error.data.errorType, error.data.errorMessage].filter(Boolean).join(': ')
      : '';
    return { ok: false, reason: `function error (${functionError})${detail ? `: ${detail}` : ''}` };
  }
  const response = BatchResponse.safeParse(json);
  if (!response.success) return { ok: false, reason: `unreadable response: ${payload.slice(0, 200)}` };
  const failed = response.data?.batchItemFailures?.length ?? 0;
  return failed === 0 ? { ok: true } : { ok: false, reason: `${failed} record(s) reported as failed` };
}

/** What became of one message. Only `replayed` messages are deleted. */
export type Outcome = { messageId: string } & (
  | { status: 'replayed'; functionName: string; info: BatchInfo }
  | { status: 'would-replay'; functionName: string; info: BatchInfo; keys: string[] }
  | { status: 'failing'; functionName: string; info: BatchInfo; reason: string }
  | { status: 'gone'; source: FunctionName | undefined; info: BatchInfo; reason: string }
  | { status: 'unreadable'; reason: string }
);

/** A record's table key, for listing: `pk sk` (attributes by name: the stream keeps no order). */
export function recordKey(record: StreamRecord): string {
  return Object.entries(record.dynamodb?.Keys ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, value]) => value.S ?? value.N ?? '?')
    .join(' ');
}

const range = (info: BatchInfo) =>
  `${info.shardId} ${info.startSequenceNumber}..${info.endSequenceNumber} (${info.batchSize} record(s))`;

/** One line per message for the terminal (a dry run adds the key of each record). */
export function describeOutcome(outcome: Outcome): string {
  const line = (label: string, text: string) => `${label.padEnd(14)}${outcome.messageId}  ${text}`;
  switch (outcome.status) {
    case 'replayed':
      return line('replayed', `${range(outcome.info)} -> ${outcome.functionName}: message deleted`);
    case 'would-replay':
      return [
        line('would replay', `${range(outcome.info)} -> ${outcome.functionName}`),
        ...outcome.keys.map((key) => `${' '.repeat(16)}${key}`),
      ].join('\n');
    case 'failing':
      return line(
        'failing',
        `${range(outcome.info)} -> ${outcome.functionName}: ${outcome.reason}; message kept`,
      );
    case 'gone':
      return line('not in stream', `${range(outcome.info)}: ${outcome.reason}; message kept`);
    case 'unreadable':
      return line('unreadable', `${outcome.reason}; message kept`);
  }
}

/** The closing lines: counts, and what to do about batches the stream no longer has. */
export function summarize(outcomes: readonly Outcome[], dryRun: boolean): string {
  const count = (status: Outcome['status']) => outcomes.filter((o) => o.status === status).length;
  const lines = [
    outcomes.length === 0
      ? 'the queue is empty: nothing to redrive'
      : dryRun
        ? `dry run: ${count('would-replay')} would be replayed, ${count('gone')} no longer in the stream, ${count('unreadable')} unreadable; nothing invoked, nothing deleted`
        : `${count('replayed')} replayed, ${count('failing')} still failing, ${count('gone')} no longer in the stream, ${count('unreadable')} unreadable`,
  ];
  const gone = outcomes.flatMap((o) => (o.status === 'gone' ? [o.source] : []));
  if (gone.includes('sender')) {
    lines.push(
      'Sender batches no longer in the stream (it keeps 24 hours) cannot be replayed from it: their recipients stay',
      'pending, and the pending-delivery sweep brings their send batches back. Once they are sent, delete those',
      'messages (or let them expire: the queue keeps them 14 days).',
    );
  }
  if (gone.some((source) => source !== 'sender')) {
    lines.push(
      'Fan-out batches no longer in the stream cannot be replayed from it: their updates are still in the incidents',
      'table, but no send batch was written for them. Their messages are kept for a person to decide.',
    );
  }
  return lines.join('\n');
}

/** Exit status: 0 when everything was (or would be) replayed, 2 when something is left in the queue. */
export function exitCode(outcomes: readonly Outcome[]): number {
  return outcomes.every((o) => o.status === 'replayed' || o.status === 'would-replay') ? 0 : 2;
}
