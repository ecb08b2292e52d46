import { describe, expect, it } from 'vitest';
import { cachedCatalog, cachedIncidents } from '../../shared/adapters/read-cache';
import type { Catalog, Incidents } from '../../shared/ports';

describe('the sender read cache', () => {
  it('reads an incident once within its time, again after it or once forgotten, and never keeps a failure', async () => {
    let now = 0;
    let reads = 0;
    let fail = false;
    const store = {
      get: async () => {
        reads++;
        if (fail) throw new Error('throttled');
        return undefined;
      },
    } as unknown as Incidents;
    const cache = cachedIncidents(store, 10_000, () => now);
    await cache.get('i');
    await cache.get('i');
    expect(reads).toBe(1);
    now = 10_000;
    await cache.get('i');
    expect(reads).toBe(2);
    cache.forget('i');
    await cache.get('i');
    expect(reads).toBe(3);
    fail = true;
    cache.forget('i');
    await expect(cache.get('i')).rejects.toThrow('throttled');
    fail = false;
    await cache.get('i');
    expect(reads).toBe(5);
  });

  it('keeps pages apart', async () => {
    const pages: string[] = [];
    const catalog = {
      getPage: async (pageId: string) => {
        pages.push(pageId);
        return { pageId, groups: [], components: [] };
      },
    } as unknown as Catalog;
    const cache = cachedCatalog(catalog, 10_000, () => 0);
    await cache.getPage('a');
    await cache.getPage('b');
    await cache.getPage('a');
    expect(pages).toEqual(['a', 'b']);
  });
});
