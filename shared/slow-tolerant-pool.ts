/**
 * Runs every task, `inFlight` at a time, except that a task still running after `slowAfterMs` gives up its
 * place (it goes on, and is waited for at the end): a few hanging tasks cost a socket each, never the
 * others' turn. At most `maxOpen` run at all, slow ones included, which bounds what they hold.
 */
export async function runSlowTolerant(
  tasks: ReadonlyArray<() => Promise<void>>,
  options: { inFlight: number; slowAfterMs: number; maxOpen: number },
): Promise<void> {
  const open = new Set<Promise<void>>();
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) {
      while (open.size >= options.maxOpen) await Promise.race(open);
      const task = tasks[next++];
      if (!task) continue;
      const running = task().finally(() => open.delete(running));
      open.add(running);
      let timer: NodeJS.Timeout | undefined;
      const slow = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.slowAfterMs);
      });
      // A failure is the caller's to handle inside the task; here it only frees the place.
      await Promise.race([running.catch(() => {}), slow]);
      clearTimeout(timer);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.inFlight, tasks.length) }, lane));
  await Promise.all(open);
}
