/**
 * Writes items in batches of `size` as they come, without holding up whoever records them. `writeNow`
 * starts a write of whatever is waiting (a partial batch), so that the writes overlap the last slow work
 * instead of following it. `flush` writes the rest and throws if any write failed; the items of a failed
 * write are kept, so nothing recorded is taken for written.
 */
export function backgroundWrites<T>(write: (batch: T[]) => Promise<void>, size: number) {
  const waiting: T[] = [];
  const writing = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const start = (batch: T[]) => {
    const done: Promise<void> = write(batch)
      .catch((error: unknown) => {
        waiting.unshift(...batch);
        failure ??= { error };
      })
      .finally(() => writing.delete(done));
    writing.add(done);
  };
  return {
    record(item: T) {
      waiting.push(item);
      if (waiting.length >= size) start(waiting.splice(0, size));
    },
    writeNow() {
      while (!failure && waiting.length > 0) start(waiting.splice(0, size));
    },
    async flush() {
      await Promise.all(writing);
      if (!failure) this.writeNow();
      await Promise.all(writing);
      if (failure) throw failure.error;
    },
  };
}
