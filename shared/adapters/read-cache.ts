import type { Catalog, Incidents, Suppressions } from '../ports';

/**
 * Reads a warm function repeats for every batch of one fan-out (the incident and its page), kept for a
 * few seconds: a 100,000-recipient update reads them once per container instead of once per batch.
 */
class TimedCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(key);
    if (entry && this.now() - entry.at < this.ttlMs) return entry.value;
    const value = load();
    this.entries.set(key, { at: this.now(), value });
    // A failed read is not kept: the next batch asks again.
    value.catch(() => this.entries.delete(key));
    return value;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}

export type CachedIncidents = Pick<Incidents, 'get'> & { forget(incidentId: string): void };

/** An incident and its updates, cached; `forget` when a newer update than the cached ones is asked for. */
export function cachedIncidents(
  incidents: Incidents,
  ttlMs: number,
  now = () => Date.now(),
): CachedIncidents {
  const cache = new TimedCache<Awaited<ReturnType<Incidents['get']>>>(ttlMs, now);
  return {
    get: (incidentId) => cache.get(incidentId, () => incidents.get(incidentId)),
    forget: (incidentId) => cache.forget(incidentId),
  };
}

/** A page's catalog, cached: a component renamed shows in mails a few seconds later. */
export function cachedCatalog(
  catalog: Catalog,
  ttlMs: number,
  now = () => Date.now(),
): Pick<Catalog, 'getPage'> {
  const cache = new TimedCache<Awaited<ReturnType<Catalog['getPage']>>>(ttlMs, now);
  return { getPage: (pageId) => cache.get(pageId, () => catalog.getPage(pageId)) };
}

/**
 * Every suppressed address, read once per container for `ttlMs`: a sender checks recipients against it
 * and reads at send time only the addresses the change log names (see sendTimeReads). `readAt` is when
 * the read began: whatever changed after that is in the log. More than `max`: undefined, read each.
 */
export function cachedSuppressionList(
  suppressions: Pick<Suppressions, 'all'>,
  options: { ttlMs: number; max: number },
  now = () => Date.now(),
) {
  const cache = new TimedCache<{ emails: Set<string>; readAt: Date } | undefined>(options.ttlMs, now);
  return {
    snapshot: () =>
      cache.get('all', async () => {
        const readAt = new Date(now());
        const emails = await suppressions.all(options.max);
        return emails ? { emails, readAt } : undefined;
      }),
  };
}
