import { appendFile } from 'node:fs/promises';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { passesStreamFilter, type StreamSource } from '../functions';
import { toLambdaRecord } from '../lambda-stream';
import type { StreamCheckpoints } from './checkpoints';
import { type LambdaHandler, lambdaContext } from './lambda-context';

/** A batch that kept failing, as Lambda hands it to an on-failure destination, plus its records. */
export interface FailedBatch {
  functionName: string;
  streamArn: string;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  batchSize: number;
  attempts: number;
  error: string;
  at: string;
  records: unknown[];
}

export interface PollerOptions {
  functionName: string;
  streamArn: string;
  source: StreamSource;
  client: DynamoDBStreamsClient;
  handler: LambdaHandler;
  timeoutSeconds: number;
  /** Where failed batches are appended as JSON lines, for redrive. */
  failureLog?: string;
  /** Where each shard was handled to: a restarted poller resumes there instead of at the oldest record. */
  checkpoints?: StreamCheckpoints;
  pollIntervalMs?: number;
}

/**
 * Reads a DynamoDB stream and invokes a handler with Lambda's event-source semantics: event filtering,
 * batches of at most `batchSize`, ReportBatchItemFailures (resume from the lowest failed record), bisect on
 * function error, bounded retries, then the failing records go to the on-failure log and the shard moves on.
 */
export class StreamPoller {
  readonly failures: FailedBatch[] = [];
  /** Handler invocations so far (one per batch handed over, retries included): the benchmark counts them. */
  invocations = 0;
  private running = false;
  private busy = 0;
  /** Per shard: nothing buffered and the last read returned nothing. */
  private readonly quiet = new Map<string, boolean>();
  private readonly loops: Promise<void>[] = [];
  private stopNow: () => void = () => {};
  /** Settles on stop(): waits end at once rather than after their interval. */
  private readonly stopping = new Promise<void>((resolve) => {
    this.stopNow = resolve;
  });

  constructor(private readonly options: PollerOptions) {}

  async start(): Promise<void> {
    this.running = true;
    await this.discoverShards();
    this.loops.push(this.keepDiscovering());
  }

  /** Starts a loop for every shard not yet read: streams split and roll shards over time. */
  private async discoverShards(): Promise<void> {
    const { StreamDescription } = await this.options.client.send(
      new DescribeStreamCommand({ StreamArn: this.options.streamArn }),
    );
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId;
      if (!shardId || this.quiet.has(shardId)) continue;
      // Registered only once it has an iterator: a failed attempt is retried at the next discovery.
      let resumeAfter = this.options.checkpoints?.get(this.options.streamArn, shardId);
      const iterator = await this.iterator(shardId, resumeAfter).catch((error: unknown) => {
        if (!resumeAfter) throw error;
        // A checkpoint the stream no longer knows (trimmed after 24 hours): start again from the oldest
        // record kept; what was handled already is handled again, harmlessly.
        resumeAfter = undefined;
        return this.iterator(shardId, undefined);
      });
      if (!iterator) continue;
      this.quiet.set(shardId, false);
      this.loops.push(this.pollShard(shardId, iterator, resumeAfter));
    }
  }

  private async keepDiscovering(): Promise<void> {
    while (this.running) {
      await Promise.race([sleep(DISCOVERY_INTERVAL_MS), this.stopping]);
      if (!this.running) return;
      await this.discoverShards().catch((error) => {
        console.error(`[${this.options.functionName}] describing the stream failed: ${String(error)}`);
      });
    }
  }

  /** An iterator after the last record read, or from the oldest record when none was read yet. */
  private async iterator(
    shardId: string,
    afterSequenceNumber: string | undefined,
  ): Promise<string | undefined> {
    const { ShardIterator } = await this.options.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.options.streamArn,
        ShardId: shardId,
        ...(afterSequenceNumber
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: afterSequenceNumber }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return ShardIterator;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopNow();
    await Promise.allSettled(this.loops);
  }

  /** True once every shard has been read to its end and nothing is buffered or being handled. */
  get idle(): boolean {
    return this.busy === 0 && [...this.quiet.values()].every(Boolean);
  }

  private async pollShard(shardId: string, firstIterator: string, checkpoint?: string): Promise<void> {
    const { source, pollIntervalMs = 100 } = this.options;
    // A closed shard read to its end has no next iterator: its loop ends and it counts as quiet.
    let iterator: string | undefined = firstIterator;
    let buffer: StreamRecord[] = [];
    let batchSize: number = source.batchSize;
    let attempts = 0;
    let splitRemaining = 0;
    let lastRead: string | undefined = checkpoint;
    while (this.running && (iterator || buffer.length > 0)) {
      this.busy++;
      try {
        if (iterator && buffer.length < source.batchSize) {
          const page: GetRecordsCommandOutput = await this.options.client.send(
            new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }),
          );
          iterator = page.NextShardIterator;
          const records = page.Records ?? [];
          lastRead = records.at(-1)?.dynamodb?.SequenceNumber ?? lastRead;
          buffer.push(...records.filter((record) => this.matches(record)));
          this.quiet.set(shardId, records.length === 0 && buffer.length === 0);
        }
        if (buffer.length === 0) {
          this.checkpoint(shardId, lastRead);
          continue;
        }
        const batch = buffer.slice(0, batchSize);
        const failure = await this.invoke(batch);
        // Records of this batch that are behind us now: all of it, or those before the failed one.
        const done = failure ? failure.index : batch.length;
        buffer = buffer.slice(done);
        if (done > 0) {
          attempts = 0; // progress: the retry count is the failing record's
          this.checkpoint(shardId, buffer.length === 0 ? lastRead : sequenceOf(batch[done - 1]));
        }
        // A bisected batch stays split until every record of the batch that first failed is through.
        splitRemaining = Math.max(0, splitRemaining - done);
        if (splitRemaining === 0) batchSize = source.batchSize;
        if (!failure) continue;
        attempts++;
        if (attempts > source.maxRetryAttempts) {
          const failed = batch.slice(failure.index);
          await this.recordFailure(shardId, failed, attempts, failure.error);
          buffer = buffer.slice(failed.length);
          this.checkpoint(shardId, buffer.length === 0 ? lastRead : sequenceOf(failed.at(-1)));
          splitRemaining = Math.max(0, splitRemaining - failed.length);
          if (splitRemaining === 0) batchSize = source.batchSize;
          attempts = 0;
        } else if (failure.threw && source.bisectOnError && batch.length - done > 1) {
          if (splitRemaining === 0) splitRemaining = batch.length - done;
          batchSize = Math.ceil((batch.length - done) / 2);
        }
        await sleep(Math.min(1000, 50 * 2 ** attempts));
      } catch (error) {
        // The stream itself failed to answer: back off, take a fresh iterator after the last record read
        // (an iterator expires; DynamoDB Local trims the first TRIM_HORIZON iterator of a new shard), poll again.
        // Trimmed is DynamoDB Local's answer to an iterator taken before a shard's first record: not a
        // failure, and the records are there at once with a fresh iterator.
        const trimmed = error instanceof Error && error.name === 'TrimmedDataAccessException';
        if (!trimmed) console.error(`[${this.options.functionName}] polling failed: ${String(error)}`);
        await sleep(trimmed ? 20 : 500);
        iterator = await this.iterator(shardId, lastRead)
          // The last record read may itself be trimmed by now: start again from the oldest kept.
          .catch(() => this.iterator(shardId, undefined))
          .catch(() => iterator);
      } finally {
        this.busy--;
        if (buffer.length === 0) await sleep(pollIntervalMs);
      }
    }
    this.quiet.set(shardId, true);
  }

  /**
   * Everything up to this sequence number is handled, set aside or filtered out. Records filtered out
   * between it and the next one buffered are read again after a restart, and filtered out again.
   */
  private checkpoint(shardId: string, sequenceNumber: string | undefined) {
    if (sequenceNumber) this.options.checkpoints?.set(this.options.streamArn, shardId, sequenceNumber);
  }

  private matches(record: StreamRecord): boolean {
    return passesStreamFilter(this.options.source.filter, record as Parameters<typeof passesStreamFilter>[1]);
  }

  /** Invokes the handler; returns where the batch failed, or undefined when all of it succeeded. */
  private async invoke(
    batch: StreamRecord[],
  ): Promise<{ index: number; threw: boolean; error: string } | undefined> {
    const event = { Records: batch.map((record) => toLambdaRecord(record, this.options.streamArn)) };
    this.invocations++;
    let response: DynamoDBBatchResponse | undefined;
    try {
      response = await this.options.handler(
        event,
        lambdaContext(this.options.functionName, this.options.timeoutSeconds),
      );
    } catch (error) {
      return { index: 0, threw: true, error: error instanceof Error ? error.message : String(error) };
    }
    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    if (failed.size === 0) return undefined;
    const index = batch.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
    // An identifier that names no record of the batch fails the whole batch, as in Lambda.
    return { index: Math.max(index, 0), threw: false, error: `${failed.size} record(s) reported as failed` };
  }

  private async recordFailure(shardId: string, records: StreamRecord[], attempts: number, error: string) {
    const failure: FailedBatch = {
      functionName: this.options.functionName,
      streamArn: this.options.streamArn,
      shardId,
      startSequenceNumber: records[0]?.dynamodb?.SequenceNumber ?? '',
      endSequenceNumber: records.at(-1)?.dynamodb?.SequenceNumber ?? '',
      batchSize: records.length,
      attempts,
      error,
      at: new Date().toISOString(),
      records: records.map((record) => toLambdaRecord(record, this.options.streamArn)),
    };
    this.failures.push(failure);
    console.error(
      `[${failure.functionName}] ${records.length} record(s) failed ${attempts} times and were set aside for redrive: ${error}`,
    );
    if (this.options.failureLog) await appendFile(this.options.failureLog, `${JSON.stringify(failure)}\n`);
  }
}

function sequenceOf(record: StreamRecord | undefined): string | undefined {
  return record?.dynamodb?.SequenceNumber;
}

/**
 * How often a stream is described for new shards. Shards come rarely (a split, a roll-over); describing
 * is a request DynamoDB Local serves on the same thread as every write.
 */
const DISCOVERY_INTERVAL_MS = 2_000;

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
