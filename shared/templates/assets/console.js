// The support console's one script, loaded on console pages only; every page works without it. With it, a
// CSV import goes up in parts of a few hundred rows with a progress bar, and its report names each
// rejected row by its line in the file, as the CLI's chunked import does.
(() => {
  const form = document.querySelector('form[data-import]');
  if (!form || !window.fetch) return;
  const ROWS_PER_PART = 400;

  /** RFC 4180 records with the line each starts on (the same parser as shared/domain/csv.ts). */
  function parseCsv(text) {
    const records = [];
    let fields = [];
    let field = '';
    let quoted = false;
    let line = 1;
    let recordLine = 1;
    const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    const end = () => {
      fields.push(field);
      if (fields.some((f) => f !== '')) records.push({ line: recordLine, fields });
      fields = [];
      field = '';
    };
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
        end();
        line++;
        recordLine = line;
      } else {
        field += char;
      }
    }
    end();
    return records;
  }

  const quote = (f) => (/[",\r\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f);

  /** Parts of the file, each with the header first and a map from its lines to the file's. */
  function parts(text) {
    const [header, ...rows] = parseCsv(text);
    if (!header) return undefined;
    const head = header.fields.map(quote).join(',');
    const result = [];
    for (let start = 0; start < rows.length; start += ROWS_PER_PART) {
      const slice = rows.slice(start, start + ROWS_PER_PART);
      const fileLine = new Map();
      const lines = [head];
      let line = 1 + head.split('\n').length;
      for (const record of slice) {
        const serialized = record.fields.map(quote).join(',');
        fileLine.set(line, record.line);
        line += serialized.split('\n').length;
        lines.push(serialized);
      }
      result.push({ csv: `${lines.join('\n')}\n`, rows: slice.length, fileLine });
    }
    // A header and nothing else is still sent once, so a wrong header is reported.
    return result.length ? result : [{ csv: `${head}\n`, rows: 0, fileLine: new Map() }];
  }

  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (name === 'text') node.textContent = value;
      else node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  };

  const main = document.querySelector('main');
  const fileInput = form.querySelector('input[type="file"]');
  const progressBox = form.querySelector('[data-progress]');
  const progress = progressBox.querySelector('progress');
  const progressText = progressBox.querySelector('[data-progress-text]');
  const reportBox = document.querySelector('[data-report]');
  const buttons = [...form.querySelectorAll('button[type="submit"]')];

  function clearErrors() {
    main.querySelector('[data-error-summary]')?.remove();
    for (const old of form.querySelectorAll('[data-client-error]')) old.remove();
    fileInput.parentElement.classList.remove('field-error');
  }

  /** The page's error summary, linking to the file field, with the message beside the field too. */
  function showError(message) {
    clearErrors();
    const summary = el(
      'div',
      {
        class: 'error-summary',
        role: 'alert',
        tabindex: '-1',
        'aria-labelledby': 'error-summary-title',
        'data-error-summary': '',
      },
      el('h2', { id: 'error-summary-title', text: 'There is a problem' }),
      el('ul', {}, el('li', {}, el('a', { href: '#file', text: message }))),
    );
    main.querySelector('h1').after(summary);
    fileInput.parentElement.classList.add('field-error');
    fileInput.before(el('span', { class: 'error-message', 'data-client-error': '', text: message }));
    summary.focus();
  }

  /** The same report the server renders after a form post. */
  function showReport(report, stoppedBy) {
    const labels = report.dryRun
      ? ['Would be added', 'Would be updated', 'Already as in the file', 'Rejected rows']
      : ['Added', 'Updated', 'Unchanged', 'Rejected rows'];
    const counts = [report.imported, report.updated, report.unchanged, report.rejected.length];
    const facts = el('dl', { class: 'facts counts' });
    labels.forEach((label, i) => {
      facts.append(el('dt', { text: label }), el('dd', { text: String(counts[i]) }));
    });
    const title = stoppedBy
      ? 'Stopped part way: the counts are for the rows sent so far'
      : report.dryRun
        ? 'Check finished: nothing was written'
        : 'Import finished';
    const next = stoppedBy
      ? stoppedBy
      : report.dryRun
        ? report.rejected.length
          ? 'Fix the rejected rows, or import the rest as they are.'
          : 'Every row can be imported.'
        : report.rejected.length
          ? 'The rejected rows were not imported: fix them and import the file again (rows already in are left as they are).'
          : '';
    const notice = el(
      'div',
      { class: 'notice', role: 'status', tabindex: '-1' },
      el('h2', { text: title }),
      facts,
    );
    if (next) notice.append(el('p', { text: next }));
    reportBox.replaceChildren(notice);
    if (report.rejected.length) {
      const body = el('tbody');
      for (const row of report.rejected) {
        body.append(
          el(
            'tr',
            {},
            el('td', { class: 'num', text: String(row.line) }),
            el('td', { class: 'text', text: row.error }),
          ),
        );
      }
      const table = el(
        'table',
        {},
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', { scope: 'col', class: 'num', text: 'Line' }),
            el('th', { scope: 'col', text: 'Problem' }),
          ),
        ),
        body,
      );
      reportBox.append(
        el('h2', { text: 'Rejected rows' }),
        el(
          'div',
          { class: 'table-wrap', role: 'region', 'aria-label': 'Rejected rows', tabindex: '0' },
          table,
        ),
      );
    }
    notice.focus();
  }

  async function run(dryRun) {
    const file = fileInput.files?.[0];
    if (!file) return showError('Choose a CSV file');
    const split = parts(await file.text());
    if (!split) return showError('Choose a CSV file: the one chosen is empty');
    clearErrors();
    reportBox.replaceChildren();
    const total = split.reduce((n, p) => n + p.rows, 0);
    const report = { imported: 0, updated: 0, unchanged: 0, rejected: [], dryRun };
    const verb = dryRun ? 'Checked' : 'Imported';
    progressBox.hidden = false;
    progress.value = 0;
    progressText.textContent = `${verb} 0 of ${total} rows`;
    for (const button of buttons) button.disabled = true;
    let done = 0;
    let next = split[0];
    /** How far it got and what was not done, as the page says it after a form post. */
    const stoppedAt = (why) => {
      const restFrom = next?.fileLine.values().next().value;
      const rows = done === 1 ? 'Row 1 was' : `Rows 1–${done} were`;
      const rest = `the rest${restFrom ? `, from line ${restFrom} of the file,` : ''} was not`;
      const again = dryRun
        ? 'Check the file again'
        : 'Import the file again to finish it (rows already in are left as they are)';
      return `${rows} ${dryRun ? 'checked' : 'imported'} (of ${total}); ${rest}: ${why.replace(/\.$/, '')}. ${again}.`;
    };
    try {
      for (const part of split) {
        next = part;
        const response = await fetch(`/console/import?dryRun=${dryRun}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: {
            'content-type': 'text/csv',
            accept: 'application/json',
            'x-csrf-token': form.dataset.csrf,
          },
          body: part.csv,
        });
        const answer = await response.json().catch(() => null);
        if (!response.ok) {
          const message = answer?.error?.message ?? `The console answered ${response.status}`;
          if (done === 0) return showError(message);
          report.rejected.sort((a, b) => a.line - b.line);
          return showReport(report, stoppedAt(message));
        }
        report.imported += answer.imported;
        report.updated += answer.updated;
        report.unchanged += answer.unchanged;
        for (const row of answer.rejected) {
          report.rejected.push({ line: part.fileLine.get(row.line) ?? row.line, error: row.error });
        }
        done += part.rows;
        progress.value = total ? Math.round((done / total) * 100) : 100;
        progressText.textContent = `${verb} ${done} of ${total} rows`;
      }
      report.rejected.sort((a, b) => a.line - b.line);
      showReport(report);
    } catch {
      // The connection went mid-way: what was sent stays reported, with where the rest begins.
      const message = 'The console could not be reached: check the connection and try again';
      if (done === 0) return showError(message);
      report.rejected.sort((a, b) => a.line - b.line);
      showReport(report, stoppedAt(message));
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(event.submitter?.value !== 'import').catch(() =>
      showError('The file could not be read or sent: check it and the connection, and try again'),
    );
  });
})();
