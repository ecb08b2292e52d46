import { describe, expect, it } from 'vitest';
import { cutOffAfterGrace } from '../../shared/first-try-cut-off';
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

  it('says when only slow tasks are left, and cuts each off only after its own grace', async () => {
    const cutOff = cutOffAfterGrace(100);
    const ended: Array<{ name: string; at: number; cut: boolean }> = [];
    const started = Date.now();
    // A POST that never answers: it ends when its signal aborts.
    const hang =
      (name: string, after = 0) =>
      async () => {
        await sleep(after);
        const { signal, done } = cutOff.begin();
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        done();
        ended.push({ name, at: Date.now() - started, cut: signal.aborted });
      };
    let onlySlowAt = Number.NaN;
    await runSlowTolerant(
      [
        hang('early'),
        ...['a', 'b'].map((name) => async () => {
          await sleep(5);
          ended.push({ name, at: 0, cut: false });
        }),
        hang('late', 60),
      ],
      {
        inFlight: 2,
        slowAfterMs: 20,
        maxOpen: 10,
        onlySlowLeft: () => {
          onlySlowAt = Date.now() - started;
          cutOff.cut();
        },
      },
    );
    cutOff.stop();
    // Nothing is cut before only slow ones are left; then each once it has had its 100 ms: the one that
    // began late (its reads were slow, say) is not cut the moment the others are done.
    const early = ended.find((e) => e.name === 'early');
    const late = ended.find((e) => e.name === 'late');
    expect(onlySlowAt).toBeGreaterThanOrEqual(20);
    expect(early?.cut).toBe(true);
    expect(early?.at).toBeGreaterThanOrEqual(Math.max(100, onlySlowAt) - 5);
    expect(late?.cut).toBe(true);
    expect(late?.at).toBeGreaterThanOrEqual(160 - 5);
  });

  it('does not call onlySlowLeft when nothing is left running', async () => {
    let called = false;
    await runSlowTolerant([async () => void (await sleep(1))], {
      inFlight: 2,
      slowAfterMs: 50,
      maxOpen: 10,
      onlySlowLeft: () => {
        called = true;
      },
    });
    expect(called).toBe(false);
  });
});
