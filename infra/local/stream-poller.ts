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
import { tables } from '../../shared/adapters/dynamo/tables';
import { passesStreamFilter, type StreamSource } from '../functions';
import { toLambdaRecord } from '../lambda-stream';
import { readerKey, type StreamCheckpoints } from './checkpoints';
import { type LambdaHandler, lambdaContext } from './lambda-context';
import { type BatchFailure, laneOf, StreamLane } from './stream-lane';

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
  /**
   * At most this many batches of a shard at once, whatever the source's parallelization: on a laptop,
   * DynamoDB Local serializes every request, and more concurrent handlers only queue there.
   */
  maxParallelization?: number;
}

/**
 * Reads a DynamoDB stream and invokes a handler with Lambda's event-source semantics: event filtering,
 * batches of at most `batchSize`, ReportBatchItemFailures (resume from the lowest failed record), bisect on
 * function error, bounded retries, then the failing records go to the on-failure log and the shard moves on.
 * With a parallelization above 1, a shard's records are spread over that many lanes by partition key, each
 * handled in order by one batch at a time, the lanes concurrently.
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

  /** Batches of one shard handled at once. */
  private readonly lanes: number;

  constructor(private readonly options: PollerOptions) {
    const { parallelization } = options.source;
    this.lanes = Math.max(1, Math.min(parallelization, options.maxParallelization ?? parallelization));
  }

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
      let resumeAfter = this.options.checkpoints?.get(
        readerKey(this.options.streamArn, this.options.functionName),
        shardId,
      );
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
    let lastRead: string | undefined = checkpoint;
    let readNothing = false;
    // Records read and not yet through, in stream order: the checkpoint stays before the first of them.
    const outstanding: StreamRecord[] = [];
    const through = new Set<StreamRecord>();
    const lanes = Array.from(
      { length: this.lanes },
      () =>
        new StreamLane(source, {
          invoke: (batch) => this.invoke(batch),
          setAside: (records, attempts, error) => this.recordFailure(shardId, records, attempts, error),
          through: (records) => {
            for (const record of records) through.add(record);
            let last: StreamRecord | undefined;
            while (outstanding[0] && through.has(outstanding[0])) {
              last = outstanding.shift();
              if (last) through.delete(last);
            }
            this.checkpoint(shardId, outstanding.length === 0 ? lastRead : sequenceOf(last));
          },
        }),
    );
    const steps = new Map<StreamLane, Promise<void>>();
    while (this.running && (iterator || outstanding.length > 0)) {
      this.busy++;
      try {
        if (iterator && outstanding.length < source.batchSize * lanes.length) {
          const page: GetRecordsCommandOutput = await this.options.client.send(
            new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }),
          );
          iterator = page.NextShardIterator;
          const records = page.Records ?? [];
          lastRead = records.at(-1)?.dynamodb?.SequenceNumber ?? lastRead;
          readNothing = records.length === 0;
          for (const record of records.filter((r) => this.matches(r))) {
            outstanding.push(record);
            lanes[laneOf(this.partitionKeyOf(record), lanes.length)]?.queue.push(record);
          }
          if (outstanding.length === 0) this.checkpoint(shardId, lastRead);
        }
        for (const lane of lanes) {
          if (steps.has(lane) || lane.queue.length === 0) continue;
          this.busy++;
          const step = lane
            .step()
            .catch(async (error: unknown) => {
              console.error(`[${this.options.functionName}] setting a batch aside failed: ${String(error)}`);
              // Its records are still queued: tried again after a pause, not in a tight loop.
              await sleep(1000);
            })
            .finally(() => {
              steps.delete(lane);
              this.busy--;
            });
          steps.set(lane, step);
        }
        this.quiet.set(shardId, readNothing && outstanding.length === 0);
        // Read again once a lane is free for more.
        if (steps.size > 0) await Promise.race(steps.values());
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
        if (outstanding.length === 0) await sleep(pollIntervalMs);
      }
    }
    await Promise.all(steps.values());
    this.quiet.set(shardId, true);
  }

  /** The partition key of a record's item: records with the same one go to one lane, in order. */
  private partitionKeyOf(record: StreamRecord): string {
    const key = record.dynamodb?.Keys?.[tables[this.options.source.table].partitionKey];
    return key?.S ?? key?.N ?? '';
  }

  /**
   * Everything up to this sequence number is handled, set aside or filtered out. Records filtered out
   * between it and the next one buffered are read again after a restart, and filtered out again.
   */
  private checkpoint(shardId: string, sequenceNumber: string | undefined) {
    if (sequenceNumber)
      this.options.checkpoints?.set(
        readerKey(this.options.streamArn, this.options.functionName),
        shardId,
        sequenceNumber,
      );
  }

  private matches(record: StreamRecord): boolean {
    return passesStreamFilter(this.options.source.filter, record as Parameters<typeof passesStreamFilter>[1]);
  }

  /** Invokes the handler; returns where the batch failed, or undefined when all of it succeeded. */
  private async invoke(batch: StreamRecord[]): Promise<BatchFailure> {
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
