import type { PageView } from '../../../domain/catalog';
import type { CatalogImported } from '../../../domain/catalog-import';
import type { ErrorDetail } from '../../../errors';
import { errorFor, errorMessage, errorSummary, hidden } from '../../forms';
import { html, type SafeHtml } from '../../html';
import { type ConsoleViewer, consolePage, readOnlyNote, tableWrap } from './frame';

export interface PageImportValues {
  page: string;
  name: string;
}

const VENDOR_LISTS: Record<CatalogImported['vendor'], string> = {
  statuspage: 'a Statuspage components.json',
  instatus: 'an Instatus component list',
  betterstack: 'a Better Stack resource list',
};

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** What an import did, in words: focused, so a screen reader hears it. */
function importedNotice(imported: CatalogImported): SafeHtml {
  return html`<div class="notice" role="status" tabindex="-1" data-focus><p>Imported ${plural(imported.regions, 'region')} and ${plural(imported.components, 'component')} from ${VENDOR_LISTS[imported.vendor]} into page ${imported.pageId}. Customers can follow them now.</p></div>`;
}

function pagesTable(pages: readonly PageView[]): SafeHtml {
  const count = (page: PageView) =>
    page.components.length + page.regions.reduce((n, region) => n + region.components.length, 0);
  const rows = pages.map(
    (page) =>
      html`<tr><td>${page.name}</td><td><code>${page.id}</code></td><td class="num">${page.regions.length}</td><td class="num">${count(page)}</td></tr>`,
  );
  return tableWrap(
    'Status pages',
    html`<table><thead><tr><th scope="col">Page</th><th scope="col">Id</th><th scope="col" class="num">Regions</th><th scope="col" class="num">Components</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

function importForm(
  viewer: ConsoleViewer,
  values: PageImportValues,
  errors: readonly ErrorDetail[],
): SafeHtml {
  const field = (
    id: string,
    label: string,
    hint: SafeHtml | string,
    input: (describedBy: string, invalid: boolean) => SafeHtml,
  ) => {
    const error = errorFor(errors, id);
    const describedBy = `${id}-hint${error ? ` ${id}-error` : ''}`;
    return html`<div class="field${error ? ' field-error' : ''}"><label class="block" for="${id}">${label}</label>
<span class="hint" id="${id}-hint">${hint}</span>${errorMessage(id, error)}
${input(describedBy, Boolean(error))}</div>`;
  };
  return html`<form method="post" action="/console/pages" enctype="multipart/form-data" novalidate>
${hidden('csrf', viewer.csrf)}
${field(
  'page',
  'Page id',
  'The id the page’s webhooks carry in page.id',
  (describedBy) =>
    html`<input type="text" id="page" name="page" value="${values.page}" autocomplete="off" spellcheck="false" aria-describedby="${describedBy}">`,
)}
${field(
  'name',
  'Page name (optional)',
  'As subscribers see it in subjects and pages. Instatus and Better Stack lists do not name the page: without a name here, the page keeps the name it has',
  (describedBy) =>
    html`<input type="text" id="name" name="name" value="${values.name}" maxlength="1000" aria-describedby="${describedBy}">`,
)}
${field(
  'components',
  'Components file',
  html`JSON, as the page’s vendor lists them: Statuspage’s <code>/api/v2/components.json</code>, Instatus’s <code>GET /v1/{page_id}/components</code>, or Better Stack’s <code>GET /api/v2/status-pages/{id}/resources</code>`,
  (describedBy) =>
    html`<input type="file" id="components" name="components" accept=".json,application/json" aria-describedby="${describedBy}">`,
)}
${field(
  'sections',
  'Sections file (Better Stack only, optional)',
  html`Better Stack’s <code>GET /api/v2/status-pages/{id}/sections</code>: each named section becomes a region`,
  (describedBy) =>
    html`<input type="file" id="sections" name="sections" accept=".json,application/json" aria-describedby="${describedBy}">`,
)}
<div class="actions"><button type="submit">Import components</button></div>
</form>`;
}

/**
 * The status pages customers can follow, and the import of a page's regions and components from the
 * list its vendor's API gives, so that the ids in the catalog are the ones the vendor's webhooks name.
 */
export function pagesPage(input: {
  viewer: ConsoleViewer;
  pages: readonly PageView[];
  imported?: CatalogImported;
  values?: PageImportValues;
  errors?: readonly ErrorDetail[];
}): string {
  const { viewer } = input;
  const errors = input.errors ?? [];
  return consolePage({
    title: 'Status pages',
    current: 'pages',
    viewer,
    hasErrors: errors.length > 0,
    body: html`<h1>Status pages</h1>
${errorSummary(errors)}${input.imported ? importedNotice(input.imported) : ''}
${input.pages.length ? pagesTable(input.pages) : html`<p>No status page is set up yet: import one below.</p>`}
<h2>Import a page’s components</h2>
<p>Importing replaces the page’s regions and components with the file’s. Subscribers keep what they follow; a component that is no longer in the file can no longer be chosen, and an incident that names it reaches only its own and the whole page’s followers.</p>
${viewer.canWrite ? importForm(viewer, input.values ?? { page: '', name: '' }, errors) : readOnlyNote()}`,
  });
}
