/**
 * Cuts off the POSTs still waiting once there is nothing else to wait for, each only after it has had
 * `graceMs` of its own: a POST that began late (its reads were slow) is not cut before it could answer.
 * Until `cut()`, nothing is cut off; after it, every POST still open (or begun later) is, at its time.
 */
export function cutOffAfterGrace(graceMs: number) {
  const open = new Map<AbortController, number>();
  const timers = new Set<NodeJS.Timeout>();
  let cutting = false;
  const cutLater = (controller: AbortController, startedAt: number) => {
    timers.add(setTimeout(() => controller.abort(), Math.max(0, startedAt + graceMs - Date.now())));
  };
  return {
    /** A POST's signal, and `done` once it has its answer. */
    begin() {
      const controller = new AbortController();
      const startedAt = Date.now();
      open.set(controller, startedAt);
      if (cutting) cutLater(controller, startedAt);
      return { signal: controller.signal, done: () => open.delete(controller) };
    },
    cut() {
      cutting = true;
      for (const [controller, startedAt] of open) cutLater(controller, startedAt);
    },
    /** No cut-off is left pending. */
    stop() {
      for (const timer of timers) clearTimeout(timer);
    },
  };
}
