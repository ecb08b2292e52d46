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
        if (char === '\n') line++;
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
  // A leading = + - @ makes spreadsheets evaluate the cell (CSV injection): prefix it with a quote.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
