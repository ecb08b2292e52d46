import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvChunks, csvField, csvValue, parseCsv } from '../../../shared/domain/csv';
import type { Catalog, Subscribers } from '../../../shared/ports';
import { importFile } from '../../../shared/usecases/console-import';
import { importSubscribers } from '../../../shared/usecases/import-export';
import { anyText } from './arbitraries';

/** Text a cell may hold: anything, plus what CSV and spreadsheets treat specially, often at the start. */
const SPECIAL = [',', '"', '\r', '\n', '\r\n', '=', '+', '-', '@', '\t', "'", ' ', '\uFEFF', 'é', '😀'];
const cell = fc.oneof(
  anyText(12),
  fc
    .array(fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ maxLength: 3 })), { maxLength: 6 })
    .map((parts) => parts.join('')),
);
const LINE_BREAKS = ['\n', '\r\n', '\r'] as const;
const lineBreak = fc.constantFrom(...LINE_BREAKS);

/** Where each line of `text` starts, counting CRLF, LF and a lone CR each as one line break. */
const lineOf = (text: string, offset: number) =>
  1 + (text.slice(0, offset).match(/\r\n|\r|\n/g)?.length ?? 0);

/** The parser skips records whose fields are all empty (blank lines): so does the expectation. */
const nonBlank = (rows: string[][]) => rows.filter((row) => row.some((field) => field !== ''));

describe('CSV, for any text', () => {
  it('reads back every exported cell as it was: commas, quotes, line breaks, unicode, formula-like text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { maxLength: 8 }),
        lineBreak,
        (rows, eol) => {
          const text = ['email,page', ...rows.map((row) => row.map(csvField).join(','))]
            .map((l) => l + eol)
            .join('');
          const read = [...parseCsv(text)].slice(1).map((record) => record.fields.map(csvValue));
          expect(read).toEqual(nonBlank(rows));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never writes a cell a spreadsheet would evaluate: no = + - @ tab or CR first', () => {
    fc.assert(
      fc.property(cell, (value) => {
        // After a header, as every export has one (a byte-order mark is only one at the file's start).
        for (const record of [...parseCsv(`id\n${csvField(value)}\n`)].slice(1)) {
          expect(record.fields[0]).not.toMatch(/^[=+\-@\t\r]/);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('names each record by the line it starts on in the file, whatever the line breaks and quoting', () => {
    const record = fc.array(
      fc
        .tuple(cell, fc.boolean())
        .map(([value, quote]) =>
          quote || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value,
        ),
      { minLength: 1, maxLength: 4 },
    );
    const file = fc.array(fc.tuple(record, lineBreak, fc.nat({ max: 2 })), { maxLength: 8 });
    fc.assert(
      fc.property(file, fc.boolean(), (records, bom) => {
        let text = bom ? '\uFEFF' : '';
        const spans: [number, number][] = [];
        for (const [values, eol, blanks] of records) {
          text += eol.repeat(blanks);
          const start = text.length;
          text += values.join(',') + eol;
          spans.push([start, text.length]);
        }
        // A record is read unless it is blank (all its fields empty): the parser says which, lineOf where.
        const count = (until: number) => [...parseCsv(text.slice(0, until))].length;
        const expected = spans
          .filter(([start, end]) => count(end) > count(start))
          .map(([start]) => lineOf(text, start));
        expect([...parseCsv(text)].map((r) => r.line)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('splits any file into parts that never cut a record and together give back every row and its line', () => {
    // Any characters (quotes left open, quotes mid-field...), or well-formed records with quoted line breaks.
    const loose = fc
      .array(fc.oneof(fc.constantFrom(...SPECIAL, 'a', 'b', 'x@y.z'), fc.string({ maxLength: 2 })), {
        maxLength: 80,
      })
      .map((parts) => parts.join(''));
    const wellFormed = fc
      .array(fc.tuple(fc.array(cell, { minLength: 1, maxLength: 3 }), lineBreak), { maxLength: 10 })
      .map((records) => records.map(([cells, eol]) => cells.map(csvField).join(',') + eol).join(''));
    const anyCsv = fc.oneof(loose, wellFormed);
    const size = fc.oneof(
      fc.integer({ min: 1, max: 5 }),
      fc.double({ min: -2, max: 6 }),
      fc.constantFrom(0, Number.NaN, Number.POSITIVE_INFINITY),
    );
    fc.assert(
      fc.property(anyCsv, size, (text, rowsPerChunk) => {
        const [header, ...rows] = [...parseCsv(text)];
        const { header: chunkHeader, chunks } = csvChunks(text, rowsPerChunk);
        expect(chunkHeader).toEqual(header?.fields);
        const back = chunks.flatMap((chunk) => {
          const [first, ...records] = [...parseCsv(chunk.csv)];
          expect(first?.fields).toEqual(header?.fields); // each part starts with the header
          expect(records.length).toBe(chunk.rows);
          expect(chunk.rows).toBeGreaterThan(0);
          expect(chunk.rows).toBeLessThanOrEqual(Math.max(1, Math.floor(rowsPerChunk) || 1));
          return records.map((r) => ({ line: chunk.fileLine.get(r.line), fields: r.fields }));
        });
        expect(back).toEqual(rows);
      }),
      { numRuns: 500 },
    );
  });
});

describe('CSV import, for any file', () => {
  // The import, in parts as the console sends them, over a catalog with one page and no subscribers yet
  // (a dry run: nothing is written). Rows with a bad address are refused; each must be named by its line.
  const catalog = {
    listPages: async () => [{ page: { pageId: 'page1', name: 'Page' }, groups: [], components: [] }],
  } as unknown as Catalog;
  const subscribers = { findManyByEmail: async () => new Map() } as unknown as Subscribers;
  const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
  const deps = { subscribers, catalog, clock };

  it('names each refused row by its line in the whole file, however the file is split', async () => {
    const row = fc.record({
      good: fc.boolean(),
      note: cell,
      eol: lineBreak,
      blanks: fc.nat({ max: 1 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 4 }),
        async (rows, rowsPerPart) => {
          let file = 'email,page,note\n';
          const refused: number[] = [];
          rows.forEach(({ good, note, eol, blanks }, i) => {
            file += eol.repeat(blanks);
            if (!good) refused.push(lineOf(file, file.length));
            file += `${good ? `a${i}@example.com` : `not an address ${i}`},page1,${csvField(note)}${eol}`;
          });
          const api = {
            importCsv: (csv: string, dryRun: boolean) => importSubscribers(deps, csv, { dryRun }),
          };
          const whole = await importSubscribers(deps, file, { dryRun: true });
          const parts = await importFile(
            { api, clock },
            { file, dryRun: true, rowsPerPart, budgetMs: 60_000 },
          );
          expect(whole.rejected.map((r) => r.line)).toEqual(refused);
          expect(parts.report.rejected.map((r) => r.line)).toEqual(refused);
          expect(parts.report.imported).toBe(rows.filter((r) => r.good).length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
