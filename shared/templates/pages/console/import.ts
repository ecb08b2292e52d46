import type { ImportReport } from '../../../domain/admin-views';
import type { ErrorDetail } from '../../../errors';
import { errorFor, errorMessage, errorSummary, hidden } from '../../forms';
import { html, type SafeHtml } from '../../html';
import { type ConsoleViewer, consolePage, readOnlyNote, tableWrap } from './frame';

/** An import that ended before the end of the file, and why. */
export interface StoppedImport {
  rowsDone: number;
  rowsTotal: number;
  /** The file's line where the rows not sent begin. */
  restFromLine?: number;
  /** Out of time: after this many seconds. */
  afterSeconds?: number;
  /** Or a part was refused: why, in words. */
  because?: string;
}

const CLI = 'npx status-notifier subscribers import FILE.csv';

/** How far an import that stopped got, what was not done, and how to finish it. */
export function stoppedWords(stopped: StoppedImport, dryRun: boolean): string {
  const done = dryRun ? 'checked' : 'imported';
  const rows = stopped.rowsDone === 1 ? 'Row 1 was' : `Rows 1–${stopped.rowsDone} were`;
  const rest = `the rest${stopped.restFromLine ? `, from line ${stopped.restFromLine} of the file,` : ''} was not`;
  const sofar = `${rows} ${done} (of ${stopped.rowsTotal}); ${rest}`;
  const again = dryRun
    ? 'Check the file again, or check it with the CLI'
    : 'Import the file again to finish it (rows already in are left as they are), or import it with the CLI';
  if (stopped.afterSeconds !== undefined) {
    return `This took longer than one page may (${stopped.afterSeconds} seconds). ${sofar}. With JavaScript on, this page sends the file in parts and has no such limit; or use the CLI: ${CLI}.`;
  }
  const because = (stopped.because ?? 'the admin API did not answer').replace(/\.$/, '');
  return `${sofar}: ${because}. ${again}: ${CLI}.`;
}

/** The report's counts in words; console.js renders the same for a file it sent in parts. */
function report(result: ImportReport, stopped?: StoppedImport): SafeHtml {
  const counts = result.dryRun
    ? [
        ['Would be added', result.imported],
        ['Would be updated', result.updated],
        ['Already as in the file', result.unchanged],
        ['Rejected rows', result.rejected.length],
      ]
    : [
        ['Added', result.imported],
        ['Updated', result.updated],
        ['Unchanged', result.unchanged],
        ['Rejected rows', result.rejected.length],
      ];
  const title = stopped
    ? 'Stopped part way: the counts are for the rows sent so far'
    : result.dryRun
      ? 'Check finished: nothing was written'
      : 'Import finished';
  const next = stopped
    ? stoppedWords(stopped, result.dryRun)
    : result.dryRun
      ? result.rejected.length
        ? 'Fix the rejected rows, or import the rest as they are.'
        : 'Every row can be imported.'
      : result.rejected.length
        ? 'The rejected rows were not imported: fix them and import the file again (rows already in are left as they are).'
        : '';
  return html`<div class="notice" role="status" tabindex="-1" data-focus><h2>${title}</h2>
<dl class="facts counts">${counts.map(([label, n]) => html`<dt>${label}</dt><dd>${n}</dd>`)}</dl>${next ? html`<p>${next}</p>` : ''}</div>
${
  result.rejected.length
    ? html`<h2>Rejected rows</h2>${tableWrap(
        'Rejected rows',
        html`<table><thead><tr><th scope="col" class="num">Line</th><th scope="col">Problem</th></tr></thead><tbody>${result.rejected.map(
          (r) => html`<tr><td class="num">${r.line}</td><td class="text">${r.error}</td></tr>`,
        )}</tbody></table>`,
      )}`
    : ''
}`;
}

/**
 * CSV import: check first (a dry run), then import. Without JavaScript the file goes in one form post
 * and this page comes back with the report; with it, console.js sends the file in parts with a progress
 * bar and renders the same report here.
 */
export function importPage(input: {
  viewer: ConsoleViewer;
  report?: ImportReport;
  /** The import ended before the end of the file. */
  stopped?: StoppedImport;
  errors?: readonly ErrorDetail[];
}): string {
  const { viewer } = input;
  const errors = input.errors ?? [];
  const fileError = errorFor(errors, 'file');
  const form = html`<form method="post" action="/console/import" enctype="multipart/form-data" novalidate data-import data-csrf="${viewer.csrf}">
${hidden('csrf', viewer.csrf)}
<div class="field${fileError ? ' field-error' : ''}"><label class="block" for="file">CSV file</label>
<span class="hint" id="file-hint">A header line with <code>email,page,region,component</code> and optionally <code>status</code>; ids or names; an empty region or component means all of it; one row per topic. An export imports as it is.</span>
${errorMessage('file', fileError)}
<input type="file" id="file" name="file" accept=".csv,text/csv" aria-describedby="file-hint${fileError ? ' file-error' : ''}"></div>
<div class="actions"><button type="submit" name="mode" value="check">Check file</button><button type="submit" name="mode" value="import" class="secondary">Import</button></div>
<div class="field" data-progress hidden><label class="block" for="import-progress">Progress</label>
<progress id="import-progress" max="100" value="0"></progress><p class="muted" data-progress-text aria-live="polite"></p></div>
</form>`;
  return consolePage({
    title: 'Import subscribers',
    current: 'import',
    viewer,
    hasErrors: errors.length > 0,
    body: html`<h1>Import subscribers</h1>
${errorSummary(errors)}
<p>Check a file first: the check writes nothing and lists each row that would be rejected, with its line. Importing twice changes nothing: topics are added, never duplicated, and nobody who unsubscribed is subscribed again.</p>
${viewer.canWrite ? form : readOnlyNote()}
<div data-report>${input.report ? report(input.report, input.stopped) : ''}</div>`,
  });
}
