import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';

/** A function reading a stream, as checkpoints key it. */
export const readerKey = (streamArn: string, functionName: string) => `${streamArn}#${functionName}`;

const Saved = z.record(z.string(), z.record(z.string(), z.string()));

/**
 * Where each stream shard was read to and fully handled, kept in a JSON file so that a poller restarted
 * after a crash resumes after the last handled record instead of at the oldest one, as Lambda's event
 * source mapping does. A record handled but not yet checkpointed is handled again after a crash: the
 * handlers are idempotent, so that costs a read and sends nothing twice.
 */
export class StreamCheckpoints {
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  private constructor(
    private readonly file: string,
    private readonly positions: Record<string, Record<string, string>>,
  ) {}

  /**
   * Reads the file, keeping only the readers still in use (a table recreated in memory has a new stream).
   * A reader is a function on a stream (`readerKey`): two functions on one stream each have their place.
   * A file written before readers were keyed by function gives each reader its stream's place.
   */
  static async load(file: string, readers: readonly string[]): Promise<StreamCheckpoints> {
    const text = await readFile(file, 'utf8').catch(() => '{}');
    const parsed = Saved.safeParse(safeJson(text));
    const saved = parsed.success ? parsed.data : {};
    const streamOf = (reader: string) => reader.slice(0, reader.lastIndexOf('#'));
    const kept = Object.fromEntries(readers.map((key) => [key, saved[key] ?? saved[streamOf(key)] ?? {}]));
    return new StreamCheckpoints(file, kept);
  }

  /** The last sequence number the reader handled on this shard, if any. */
  get(reader: string, shardId: string): string | undefined {
    return this.positions[reader]?.[shardId];
  }

  /** Records progress; writes are coalesced and atomic (a crash leaves the old file or the new one). */
  set(reader: string, shardId: string, sequenceNumber: string): void {
    const shards = this.positions[reader] ?? {};
    if (shards[shardId] === sequenceNumber) return;
    this.positions[reader] = { ...shards, [shardId]: sequenceNumber };
    if (this.dirty) return;
    this.dirty = true;
    this.writing = this.writing
      .then(async () => {
        this.dirty = false;
        const temporary = `${this.file}.${process.pid}.tmp`;
        await writeFile(temporary, JSON.stringify(this.positions));
        await rename(temporary, this.file);
      })
      .catch((error: unknown) => {
        // Progress not saved costs a re-read after a restart, never a record: keep polling.
        console.error(`saving stream checkpoints failed: ${String(error)}`);
      });
  }

  /** Resolves once every position set so far is on disk. */
  flush(): Promise<void> {
    return this.writing;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
