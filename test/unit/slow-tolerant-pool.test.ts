import { describe, expect, it } from 'vitest';
import { runSlowTolerant } from '../../shared/slow-tolerant-pool';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('running tasks so that slow ones hold nobody up', () => {
  it('lets the others past a task that hangs, and still waits for it', async () => {
    const finished: string[] = [];
    let release: () => void = () => {};
    const hanging = new Promise<void>((resolve) => {
      release = resolve;
    });
    const run = runSlowTolerant(
      [
        async () => {
          await hanging;
          finished.push('hanging');
        },
        ...['a', 'b', 'c'].map((name) => async () => {
          await sleep(1);
          finished.push(name);
        }),
      ],
      { inFlight: 1, slowAfterMs: 20, maxOpen: 10 },
    );
    await sleep(200);
    // One place only, yet the three quick ones went past the hanging one.
    expect(finished).toEqual(['a', 'b', 'c']);
    let settled = false;
    void run.then(() => {
      settled = true;
    });
    await sleep(10);
    expect(settled).toBe(false);
    release();
    await run;
    expect(finished).toEqual(['a', 'b', 'c', 'hanging']);
  });

  it('never has more than maxOpen running, slow ones included', async () => {
    let open = 0;
    let most = 0;
    await runSlowTolerant(
      Array.from({ length: 12 }, () => async () => {
        open++;
        most = Math.max(most, open);
        await sleep(30);
        open--;
      }),
      { inFlight: 4, slowAfterMs: 1, maxOpen: 6 },
    );
    expect(most).toBe(6);
  });

  it('keeps at most inFlight going while none is slow', async () => {
    let open = 0;
    let most = 0;
    await runSlowTolerant(
      Array.from({ length: 20 }, () => async () => {
        open++;
        most = Math.max(most, open);
        await sleep(2);
        open--;
      }),
      { inFlight: 3, slowAfterMs: 10_000, maxOpen: 100 },
    );
    expect(most).toBe(3);
  });
});

describe('a task that fails', () => {
  it('is thrown once every other task has finished, quick or slow', async () => {
    const finished: string[] = [];
    const run = runSlowTolerant(
      [
        async () => {
          throw new Error('the record was not written');
        },
        async () => {
          await sleep(60);
          finished.push('slow');
        },
        async () => {
          finished.push('quick');
        },
      ],
      { inFlight: 2, slowAfterMs: 10, maxOpen: 10 },
    );
    await expect(run).rejects.toThrow('the record was not written');
    expect(finished.sort()).toEqual(['quick', 'slow']);
  });
});
