import { describe, expect, it } from 'vitest';
import { csvField, parseCsv } from '../../shared/domain/csv';
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
