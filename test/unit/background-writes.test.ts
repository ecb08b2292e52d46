import { describe, expect, it } from 'vitest';
import { backgroundWrites } from '../../shared/background-writes';

describe('writing in the background', () => {
  it('writes full batches as they come, and a partial one only when asked', async () => {
    const written: number[][] = [];
    const writes = backgroundWrites(async (batch: number[]) => {
      written.push(batch);
    }, 3);
    for (const n of [1, 2, 3, 4]) writes.record(n);
    expect(written).toEqual([[1, 2, 3]]);
    writes.record(5);
    writes.writeNow();
    expect(written).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    writes.record(6);
    await writes.flush();
    expect(written.flat()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('fails the flush when a write failed, and writes nothing more after it', async () => {
    const written: number[] = [];
    let calls = 0;
    const writes = backgroundWrites(async (batch: number[]) => {
      calls++;
      if (calls === 1) throw new Error('throttled');
      written.push(...batch);
    }, 2);
    writes.record(1);
    writes.record(2);
    writes.record(3);
    await expect(writes.flush()).rejects.toThrow('throttled');
    // The invocation fails, and the stream's retry repeats all three: none is taken for written.
    expect(written).toEqual([]);
    expect(calls).toBe(1);
  });
});
