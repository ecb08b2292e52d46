import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { StreamSource } from '../functions';

/** Where a batch failed, or undefined when all of it succeeded. */
export type BatchFailure = { index: number; threw: boolean; error: string } | undefined;

export interface LaneHooks {
  invoke(batch: StreamRecord[]): Promise<BatchFailure>;
  /** Records that kept failing: they go to the on-failure log, and the lane moves on. */
  setAside(records: StreamRecord[], attempts: number, error: string): Promise<void>;
  /** Records behind the lane now: handled, or set aside. */
  through(records: StreamRecord[]): void;
}

/**
 * One of a shard's concurrent batch processors (Lambda's ParallelizationFactor): it holds the records
 * whose partition keys hash to it, in stream order, and hands them to the handler a batch at a time with
 * Lambda's semantics for a failure: resume from the lowest failed record, bisect on a function error,
 * bounded retries, then set aside.
 */
export class StreamLane {
  readonly queue: StreamRecord[] = [];
  private batchSize: number;
  private attempts = 0;
  /** Records of the batch that first failed still to go through while it stays split. */
  private splitRemaining = 0;

  constructor(
    private readonly source: StreamSource,
    private readonly hooks: LaneHooks,
  ) {
    this.batchSize = source.batchSize;
  }

  /** Hands the next batch to the handler; resolves once it is through, or waiting out its retry. */
  async step(): Promise<void> {
    const batch = this.queue.slice(0, this.batchSize);
    const failure = await this.hooks.invoke(batch);
    // Records of this batch that are behind us now: all of it, or those before the failed one.
    const done = failure ? failure.index : batch.length;
    this.hooks.through(this.queue.splice(0, done));
    if (done > 0) this.attempts = 0; // progress: the retry count is the failing record's
    this.unsplit(done);
    if (!failure) return;
    this.attempts++;
    if (this.attempts > this.source.maxRetryAttempts) {
      const failed = batch.slice(failure.index);
      await this.hooks.setAside(failed, this.attempts, failure.error);
      this.hooks.through(this.queue.splice(0, failed.length));
      this.unsplit(failed.length);
      this.attempts = 0;
    } else if (failure.threw && this.source.bisectOnError && batch.length - done > 1) {
      if (this.splitRemaining === 0) this.splitRemaining = batch.length - done;
      this.batchSize = Math.ceil((batch.length - done) / 2);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** this.attempts)));
  }

  /** A bisected batch stays split until every record of the batch that first failed is through. */
  private unsplit(through: number) {
    this.splitRemaining = Math.max(0, this.splitRemaining - through);
    if (this.splitRemaining === 0) this.batchSize = this.source.batchSize;
  }
}

/** FNV-1a: spreads partition keys over the lanes; the same key always lands in the same lane. */
export function laneOf(partitionKey: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < partitionKey.length; i++) {
    hash ^= partitionKey.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % lanes;
}
