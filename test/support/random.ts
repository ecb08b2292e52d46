/** A small deterministic generator (Lehmer): a run that failed is replayed from the seed it printed. */
export function seededRandom(seed: number): () => number {
  let state = seed % 2147483647 || 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

/** The seed of this run: `FAULT_SEED` when given (to replay a run), else a fresh one. */
export function runSeed(): number {
  return Number(process.env.FAULT_SEED ?? Math.floor(Math.random() * 1_000_000));
}

/** The items in an order the generator picks (Fisher-Yates). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
