/**
 * RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. Yields each record with the
 * line it starts on, so errors can name it.
 */
export function* parseCsv(text: string): Generator<{ line: number; fields: string[] }> {
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a byte-order mark is not data
  for (let i = 0; i < input.length; i++) {
    const char = input[i];
    if (quoted) {
      if (char === '"' && input[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        // A line break inside quotes is a line of the file too, counted as outside them (CRLF, LF, CR).
        if (char === '\n' || (char === '\r' && input[i + 1] !== '\n')) line++;
        field += char;
      }
    } else if (char === '"' && field === '') {
      quoted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && input[i + 1] === '\n') i++;
      fields.push(field);
      if (fields.some((f) => f !== '')) yield { line: recordLine, fields };
      fields = [];
      field = '';
      line++;
      recordLine = line;
    } else {
      field += char;
    }
  }
  fields.push(field);
  if (fields.some((f) => f !== '')) yield { line: recordLine, fields };
}

/** One CSV field: quoted when it holds a comma, quote or line break; formula-looking text is neutralised. */
export function csvField(value: string): string {
  // A leading = + - @ makes spreadsheets evaluate the cell (CSV injection): prefix it with a quote. Text
  // that already looks prefixed ('=x) gets one more, so `csvValue` can tell the two apart.
  const safe = FORMULA_OR_PREFIXED.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** A field's value as `csvField` was given it: undoes the defence against spreadsheet formulas. */
export function csvValue(field: string): string {
  return /^'+[=+\-@\t\r]/.test(field) ? field.slice(1) : field;
}

/** A cell a spreadsheet would evaluate, after any number of the quotes that defuse it. */
const FORMULA_OR_PREFIXED = /^'*[=+\-@\t\r]/;

/** Line breaks as the parser counts them: CRLF, LF and a lone CR. */
const lineBreaks = (text: string) => text.match(/\r\n|\r|\n/g)?.length ?? 0;

/** A part of a bigger CSV file: the header and some rows, and where each row was in the file. */
export interface CsvChunk {
  csv: string;
  rows: number;
  /** A line in `csv` → the line it came from in the whole file, so errors name the file's line. */
  fileLine: Map<number, number>;
}

/**
 * Splits a CSV file into parts of at most `rowsPerChunk` rows, each with the header first: any size fits
 * a per-request limit, and rows of one address in different parts still merge (an import only adds).
 */
export function csvChunks(text: string, rowsPerChunk: number): { header?: string[]; chunks: CsvChunk[] } {
  const [header, ...rows] = [...parseCsv(text)];
  if (!header) return { chunks: [] };
  // A field starting with a byte-order mark is quoted: first in a part, the parser would drop the mark.
  const quote = (field: string) =>
    /^\uFEFF|[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
  const size = Math.max(1, Math.floor(rowsPerChunk) || 1); // NaN too: no size may lose rows
  const chunks: CsvChunk[] = [];
  for (let start = 0; start < rows.length; start += size) {
    const part = rows.slice(start, start + size);
    const fileLine = new Map<number, number>();
    const lines = [header.fields.map(quote).join(',')];
    let line = 2 + lineBreaks(lines[0] ?? '');
    for (const record of part) {
      const serialized = record.fields.map(quote).join(',');
      fileLine.set(line, record.line);
      line += 1 + lineBreaks(serialized);
      lines.push(serialized);
    }
    chunks.push({ csv: `${lines.join('\n')}\n`, rows: part.length, fileLine });
  }
  return { header: header.fields, chunks };
}
