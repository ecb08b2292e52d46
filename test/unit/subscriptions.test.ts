import { describe, expect, it } from 'vitest';
import { csvChunks, csvField, csvValue, parseCsv } from '../../shared/domain/csv';
import { levelWants } from '../../shared/domain/levels';
import { maskEmail } from '../../shared/domain/subscriber';

describe('levelWants', () => {
  const minor = { impact: 'minor' };
  const major = { impact: 'major' };
  it.each([
    ['all', minor, 'identified', false, true],
    ['lifecycle', minor, 'investigating', true, true],
    ['lifecycle', minor, 'identified', false, false],
    ['lifecycle', minor, 'resolved', false, true],
    ['lifecycle', minor, 'postmortem', false, true],
    ['major', minor, 'investigating', true, false],
    ['major', major, 'monitoring', false, true],
  ] as const)('%s, %o, %s (first: %s) → %s', (level, incident, status, isFirst, expected) => {
    expect(levelWants(level, incident, { status }, isFirst)).toBe(expected);
  });
});

describe('CSV', () => {
  it('parses quoted fields, escaped quotes, CRLF, a byte-order mark and blank lines, naming each line', () => {
    const text =
      '\uFEFFemail,page\r\n"a@x.com","Kustomer, Inc."\r\n\r\n"b ""B"" @x.com","multi\nline"\nc@x.com,last';
    expect([...parseCsv(text)]).toEqual([
      { line: 1, fields: ['email', 'page'] },
      { line: 2, fields: ['a@x.com', 'Kustomer, Inc.'] },
      { line: 4, fields: ['b "B" @x.com', 'multi\nline'] },
      { line: 6, fields: ['c@x.com', 'last'] },
    ]);
  });

  it('splits a file into parts with the header first, mapping each part’s lines to the file’s', () => {
    // Rows 2 and 3 either side of the boundary have fields over two and three lines.
    const file =
      'email,"a note, quoted"\r\n' +
      'a@x.com,one\r\n' +
      'b@x.com,"two\nlines"\r\n' +
      'c@x.com,"three\n""quoted""\nlines"\r\n' +
      '\r\n' +
      'd@x.com,four\n';
    const { header, chunks } = csvChunks(file, 2);
    expect(header).toEqual(['email', 'a note, quoted']);
    expect(chunks.map((c) => c.rows)).toEqual([2, 2]);
    expect(chunks[0]?.csv).toBe('email,"a note, quoted"\na@x.com,one\nb@x.com,"two\nlines"\n');
    expect(chunks[1]?.csv).toBe('email,"a note, quoted"\nc@x.com,"three\n""quoted""\nlines"\nd@x.com,four\n');
    // Part line → file line: b starts on the file's line 3; c on 5 (b took two), d on 9 (c took three, then a blank).
    expect([...(chunks[0]?.fileLine ?? [])]).toEqual([
      [2, 2],
      [3, 3],
    ]);
    expect([...(chunks[1]?.fileLine ?? [])]).toEqual([
      [2, 5],
      [5, 9],
    ]);
    // Each part parses back to the same records, on the lines the map names.
    const reparsed = chunks.flatMap((chunk) =>
      [...parseCsv(chunk.csv)].slice(1).map((r) => ({ line: chunk.fileLine.get(r.line), fields: r.fields })),
    );
    expect(reparsed).toEqual([...parseCsv(file)].slice(1));
    expect(csvChunks('', 2)).toEqual({ chunks: [] });
    expect(csvChunks('email,page\n', 2)).toEqual({ header: ['email', 'page'], chunks: [] });
  });

  // Found by the property suite (test/unit/properties/csv.test.ts).
  it('reads back a cell that looks defused already as it was', () => {
    const read = (value: string) =>
      [...parseCsv(`h\n${csvField(value)}\n`)].map((r) => r.fields.map(csvValue))[1];
    expect(read("'@home")).toEqual(["'@home"]); // was read as "@home"
    expect(read('=1+1')).toEqual(['=1+1']);
    expect(read("''=x")).toEqual(["''=x"]);
  });

  it('counts a lone CR inside quotes as a line, as it does outside them', () => {
    expect([...parseCsv('"a\rb"\nc\r"d\r\ne"\rf')].map((r) => r.line)).toEqual([1, 3, 4, 6]);
    // A part's lines map to the file's across such a field.
    const { chunks } = csvChunks('h\n"a\rb"\nc\n', 2);
    expect([...parseCsv(chunks[0]?.csv ?? '')].map((r) => chunks[0]?.fileLine.get(r.line))).toEqual([
      undefined,
      2,
      4,
    ]);
  });

  it('loses no row and no header, whatever the part size or a second byte-order mark', () => {
    expect(csvChunks('h\na\nb\n', Number.NaN).chunks.map((c) => c.rows)).toEqual([1, 1]); // was: none
    const { header, chunks } = csvChunks('\uFEFF\uFEFFh\na\n', 1);
    expect([...parseCsv(chunks[0]?.csv ?? '')][0]?.fields).toEqual(header);
  });

  it('quotes what needs quoting and defuses spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  });
});

describe('maskEmail', () => {
  it('shows enough to recognise an address, not to harvest it', () => {
    expect(maskEmail('ana@example.com')).toBe('a***@example.com');
  });
});
