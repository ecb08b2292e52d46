import { describe, expect, it } from 'vitest';
import type { CatalogView } from '../../shared/domain/admin-views';
import { incidentIdCandidates } from '../../shared/domain/incident';
import { lookUpIncident } from '../../shared/usecases/console-incidents';

// What the console decides, apart from its pages: pure functions, and use-cases over a small fake API.

const catalog = (...ids: string[]): CatalogView => ({
  pages: ids.map((id) => ({ id, name: id, regions: [], components: [] })),
});

describe('finding an incident', () => {
  it('tries Statuspage’s and the generic API’s id on each page, or a full id as it is', () => {
    expect(incidentIdCandidates('abc', ['p1', 'p2'])).toEqual([
      'statuspage:p1:abc',
      'api:p1:abc',
      'statuspage:p2:abc',
      'api:p2:abc',
    ]);
    expect(incidentIdCandidates('api:p1:abc', ['p1', 'p2'])).toEqual(['api:p1:abc']);
    expect(incidentIdCandidates('abc', [])).toEqual([]);
  });

  it('asks for every candidate at once and answers the first that exists, in candidate order', async () => {
    const asked: string[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const api = {
      catalog: async () => catalog('p1', 'p2'),
      findIncident: async (id: string) => {
        asked.push(id);
        if (asked.length === 4) release(); // only once all four are in flight
        await gate;
        return id === 'api:p1:abc' || id === 'statuspage:p2:abc' ? { id } : undefined;
      },
    };
    await expect(lookUpIncident({ api }, 'abc')).resolves.toBe('api:p1:abc');
    expect(asked).toHaveLength(4);
    await expect(
      lookUpIncident({ api: { ...api, findIncident: async () => undefined } }, 'abc'),
    ).resolves.toBe(undefined);
  });

  it('does not read the catalog for a full id, and lets a failure through rather than say "not found"', async () => {
    const api = {
      catalog: async (): Promise<CatalogView> => {
        throw new Error('catalog read');
      },
      findIncident: async (id: string) => ({ id }),
    };
    await expect(lookUpIncident({ api }, 'statuspage:p1:abc')).resolves.toBe('statuspage:p1:abc');
    const failing = {
      ...api,
      catalog: async () => catalog('p1'),
      findIncident: () => Promise.reject(new Error('502')),
    };
    await expect(lookUpIncident({ api: failing }, 'abc')).rejects.toThrow('502');
  });
});
