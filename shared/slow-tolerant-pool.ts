/**
 * Runs every task, `inFlight` at a time, except that a task still running after `slowAfterMs` gives up its
 * place (it goes on, and is waited for at the end): a few hanging tasks cost a socket each, never the
 * others' turn. At most `maxOpen` run at all, slow ones included, which bounds what they hold. Every task
 * is waited for, whatever the others did; then the first failure, if any, is thrown.
 */
export async function runSlowTolerant(
  tasks: ReadonlyArray<() => Promise<void>>,
  options: {
    inFlight: number;
    slowAfterMs: number;
    maxOpen: number;
    /** Called once every task has started and only slow ones are left running. */
    onlySlowLeft?: () => void;
  },
): Promise<void> {
  const open = new Set<Promise<void>>();
  const failures: unknown[] = [];
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) {
      while (open.size >= options.maxOpen) await Promise.race(open);
      const task = tasks[next++];
      if (!task) continue;
      // Settles, never rejects: a failure is kept for the end, and frees its place like a success.
      const running: Promise<void> = task()
        .catch((error: unknown) => {
          failures.push(error);
        })
        .finally(() => open.delete(running));
      open.add(running);
      let timer: NodeJS.Timeout | undefined;
      const slow = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.slowAfterMs);
      });
      await Promise.race([running, slow]);
      clearTimeout(timer);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.inFlight, tasks.length) }, lane));
  if (open.size > 0) options.onlySlowLeft?.();
  while (open.size > 0) await Promise.all(open);
  if (failures.length > 0) throw failures[0];
}
