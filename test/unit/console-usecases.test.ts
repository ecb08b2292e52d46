import { describe, expect, it } from 'vitest';
import { type CatalogView, pageCatalogOf, pageView } from '../../shared/domain/catalog';
import { csvChunks } from '../../shared/domain/csv';
import { incidentIdCandidates } from '../../shared/domain/incident';
import { describeTopic } from '../../shared/domain/topics';
import { AppError } from '../../shared/errors';
import type { Clock } from '../../shared/ports';
import {
  emptyReport,
  exportFile,
  exportNote,
  importFile,
  outOfTime,
  withPart,
} from '../../shared/usecases/console-import';
import { lookUpIncident } from '../../shared/usecases/console-incidents';

// What the console decides, apart from its pages: pure functions, and use-cases over a small fake API.

const catalog = (...ids: string[]): CatalogView => ({
  pages: ids.map((id) => ({ id, name: id, regions: [], components: [] })),
});

describe('finding an incident', () => {
  it('tries each source’s id on each page, or a full id as it is', () => {
    expect(incidentIdCandidates('abc', ['p1', 'p2'])).toEqual([
      'statuspage:p1:abc',
      'instatus:p1:abc',
      'betterstack:p1:abc',
      'api:p1:abc',
      'statuspage:p2:abc',
      'instatus:p2:abc',
      'betterstack:p2:abc',
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
        if (asked.length === 8) release(); // only once all eight are in flight
        await gate;
        return id === 'api:p1:abc' || id === 'statuspage:p2:abc' ? { id } : undefined;
      },
    };
    await expect(lookUpIncident({ api }, 'abc')).resolves.toBe('api:p1:abc');
    expect(asked).toHaveLength(8);
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

/** A clock that moves `stepMs` each time an API call is made (`tick`). */
function slowClock(stepMs: number) {
  let now = Date.parse('2026-03-02T09:00:00Z');
  const clock: Clock = { now: () => new Date(now) };
  return { clock, tick: () => (now += stepMs) };
}

const rows = (n: number) =>
  `email,page\n${Array.from({ length: n }, (_, i) => `s${i + 1}@example.com,p1`).join('\n')}\n`;

describe('importing a file in parts', () => {
  it('adds up the parts, naming rejected rows by their line in the whole file', async () => {
    const sent: string[] = [];
    const api = {
      importCsv: async (csv: string, dryRun: boolean) => {
        sent.push(csv);
        // The second row of a part is refused: its line in the part is 3.
        const second = csv.split('\n').length > 3;
        return { ...emptyReport(dryRun), imported: 1, rejected: second ? [{ line: 3, error: 'no' }] : [] };
      },
    };
    const progress = await importFile(
      { api, clock: slowClock(0).clock },
      { file: rows(5), dryRun: false, rowsPerPart: 2, budgetMs: 20_000 },
    );
    expect(sent).toHaveLength(3);
    expect(sent[1]).toBe('email,page\ns3@example.com,p1\ns4@example.com,p1\n');
    expect(progress).toEqual({
      report: {
        imported: 3,
        updated: 0,
        unchanged: 0,
        rejected: [
          { line: 3, error: 'no' },
          { line: 5, error: 'no' },
        ],
        dryRun: false,
      },
      rowsDone: 5,
      rowsTotal: 5,
    });
  });

  it('keeps what was done when a later part is refused, and says where the rest begins', async () => {
    let calls = 0;
    const refusal = new Error('the admin API failed');
    const api = {
      importCsv: async (_: string, dryRun: boolean) => {
        if (++calls === 2) throw refusal;
        return { ...emptyReport(dryRun), imported: 2 };
      },
    };
    const progress = await importFile(
      { api, clock: slowClock(0).clock },
      { file: rows(5), dryRun: false, rowsPerPart: 2, budgetMs: 20_000 },
    );
    expect(progress).toMatchObject({
      report: { imported: 2 },
      rowsDone: 2,
      rowsTotal: 5,
      restFromLine: 4,
      stopped: { reason: 'failed', error: refusal },
    });
    // The first part refused: nothing was done, and the refusal is the answer.
    calls = 1;
    await expect(
      importFile(
        { api, clock: slowClock(0).clock },
        { file: rows(5), dryRun: false, rowsPerPart: 2, budgetMs: 1 },
      ),
    ).rejects.toBe(refusal);
  });

  it('stops before a part would end past the time budget, saying how far it got', async () => {
    const { clock, tick } = slowClock(8_000);
    const api = {
      importCsv: async (_: string, dryRun: boolean) => {
        tick();
        return { ...emptyReport(dryRun), unchanged: 2 };
      },
    };
    const progress = await importFile(
      { api, clock },
      { file: rows(9), dryRun: true, rowsPerPart: 2, budgetMs: 20_000 },
    );
    // 8 s, then 16 s; a third part would end at about 24 s.
    expect(progress).toMatchObject({
      report: { unchanged: 4, dryRun: true },
      rowsDone: 4,
      rowsTotal: 9,
      restFromLine: 6,
      stopped: { reason: 'time' },
    });
    expect(outOfTime(0, 0, 1)).toBe(false);
    expect(outOfTime(10_000, 1, 20_000)).toBe(false);
    expect(outOfTime(10_001, 1, 20_000)).toBe(true);
  });

  it('checks a header with no rows, and refuses an empty file in words', async () => {
    const sent: Array<[string, boolean]> = [];
    const api = {
      importCsv: async (csv: string, dryRun: boolean) => {
        sent.push([csv, dryRun]);
        return emptyReport(dryRun);
      },
    };
    const deps = { api, clock: slowClock(0).clock };
    await expect(
      importFile(deps, { file: 'email,page\r\n', dryRun: false, rowsPerPart: 2, budgetMs: 1 }),
    ).resolves.toMatchObject({ rowsDone: 0, rowsTotal: 0 });
    expect(sent).toEqual([['email,page\n', true]]);
    const empty = importFile(deps, { file: '', dryRun: false, rowsPerPart: 2, budgetMs: 1 });
    await expect(empty).rejects.toBeInstanceOf(AppError);
    await expect(empty).rejects.toMatchObject({
      details: [{ path: 'file', message: expect.stringContaining('Choose a CSV file') }],
    });
  });

  it('maps a part’s lines to the file’s across multi-line fields', () => {
    const file = 'email,note\na@x.com,"two\nlines"\nb@x.com,x\n';
    const [first, second] = csvChunks(file, 1).chunks;
    const part = { ...emptyReport(false), rejected: [{ line: 2, error: 'bad' }] };
    expect(withPart(withPart(emptyReport(false), part, first!), part, second!).rejected).toEqual([
      { line: 2, error: 'bad' },
      { line: 4, error: 'bad' },
    ]);
  });
});

describe('exporting', () => {
  const header = 'id,email,status,level,page,region,component\n';
  const pages = (count: number, bytesEach = 100) => ({
    calls: 0,
    async exportPage(cursor: string | undefined, limit: number) {
      expect(limit).toBe(1000);
      const index = cursor ? Number(cursor) : 0;
      this.calls++;
      const csv = `${index === 0 ? header : ''}${'x'.repeat(bytesEach - 1)}\n`;
      return { csv, ...(index + 1 < count ? { cursor: String(index + 1) } : {}) };
    },
  });
  const limits = { pageSize: 1000, maxBytes: 5_000, budgetMs: 20_000 };

  it('sends every page when they fit', async () => {
    const api = pages(3);
    const result = await exportFile({ api, clock: slowClock(0).clock }, limits);
    expect(result.stoppedBy).toBeUndefined();
    expect(result.csv.startsWith(header)).toBe(true);
    expect(result.csv.split('\n')).toHaveLength(5);
  });

  it('stops at the size it may send, ending the file with a note that points to the CLI', async () => {
    const api = pages(100, 1_000);
    const result = await exportFile({ api, clock: slowClock(0).clock }, limits);
    expect(result.stoppedBy).toBe('size');
    expect(Buffer.byteLength(result.csv)).toBeLessThanOrEqual(limits.maxBytes);
    expect(result.csv.endsWith(exportNote('size', limits))).toBe(true);
    expect(exportNote('size', { maxBytes: 5 * 1024 * 1024, budgetMs: 20_000 })).toBe(
      '# INCOMPLETE: this file stops here because the console sends at most 5 MB. Export every subscriber with the CLI: npx status-notifier subscribers export --out subscribers.csv\n',
    );
  });

  it('stops before the time budget runs out, however small the pages', async () => {
    const { clock, tick } = slowClock(3_000);
    const api = pages(1_000);
    const slow = {
      exportPage: async (cursor: string | undefined, limit: number) => {
        tick();
        return api.exportPage(cursor, limit);
      },
    };
    const result = await exportFile({ api: slow, clock }, limits);
    expect(result.stoppedBy).toBe('time');
    expect(api.calls).toBe(6); // 18 s; a seventh would end at about 21 s
    expect(result.csv.endsWith(exportNote('time', limits))).toBe(true);
    expect(exportNote('time', limits)).toContain('at most 20 seconds');
  });
});

describe('a page view', () => {
  it('turns back into the catalog it was drawn from, so topics are described as the mails do', () => {
    const view = {
      id: 'p1',
      name: 'Kustomer',
      regions: [{ id: 'us', name: 'Prod1 (US)', components: [{ id: 'chat', name: 'Channel - Chat' }] }],
      components: [{ id: 'api', name: 'API' }],
    };
    expect(pageView(pageCatalogOf(view))).toEqual(view);
    const catalog = pageCatalogOf(view);
    expect(describeTopic({ pageId: 'p1', componentId: 'chat' }, catalog)).toBe(
      'Channel - Chat in Prod1 (US) (Kustomer)',
    );
    expect(describeTopic({ pageId: 'p1', componentId: 'api' }, catalog)).toBe('API (Kustomer)');
    expect(describeTopic({ pageId: 'p1', groupId: 'us' }, catalog)).toBe(
      'everything in Prod1 (US) (Kustomer)',
    );
  });
});
