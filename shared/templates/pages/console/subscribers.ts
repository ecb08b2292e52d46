import type { CatalogView } from '../../../domain/catalog';
import { MESSAGES } from '../../../domain/form-messages';
import type { Subscriber } from '../../../domain/subscriber';
import type { ErrorDetail } from '../../../errors';
import { choice, errorFor, errorMessage, errorSummary, hidden } from '../../forms';
import { html, type SafeHtml } from '../../html';
import { firstTopicId, levelChoice, levelLabel, topicTree } from '../../topic-tree';
import { badge, type ConsoleViewer, consolePage, doneNotice, readOnlyNote, tableWrap, when } from './frame';

export interface SubscriberSearchView {
  email: string;
  status: string;
  items: readonly Subscriber[];
  /** The next page's cursor. */
  cursor?: string;
  /** This is not the first page. */
  paged: boolean;
}

export interface AddSubscriberValues {
  email: string;
  topics: ReadonlySet<string>;
  level: string;
  confirmed: boolean;
}

const STATUSES = ['pending', 'confirmed', 'unsubscribed'] as const;

const searchQuery = (search: SubscriberSearchView, cursor?: string) =>
  new URLSearchParams({
    ...(search.email ? { email: search.email } : {}),
    ...(search.status ? { status: search.status } : {}),
    ...(cursor ? { cursor } : {}),
  }).toString();

function results(search: SubscriberSearchView): SafeHtml {
  if (search.items.length === 0) {
    return html`<p>No subscriber matches${search.email ? html` “${search.email}”` : ''}.</p>`;
  }
  const rows = search.items.map(
    (
      s,
    ) => html`<tr><td><a href="/console/subscribers/${encodeURIComponent(s.id)}">${s.email}</a>${s.channel ? html` <span class="muted">(webhook ${s.channel.host})</span>` : ''}</td>
<td>${badge(s.status)}</td><td>${levelLabel(s.level)}</td><td class="num">${s.topics.length}</td><td>${when(s.createdAt)}</td></tr>`,
  );
  return html`${tableWrap(
    'Subscribers found',
    html`<table><thead><tr><th scope="col">Email</th><th scope="col">Status</th><th scope="col">How often</th><th scope="col" class="num">Topics</th><th scope="col">Added</th></tr></thead><tbody>${rows}</tbody></table>`,
  )}<div class="actions">${search.paged ? html`<a href="/console/subscribers?${searchQuery(search)}">First page</a>` : ''}${
    search.cursor
      ? html`<a href="/console/subscribers?${searchQuery(search, search.cursor)}">Next page</a>`
      : ''
  }</div>`;
}

function addForm(input: {
  catalog: CatalogView;
  viewer: ConsoleViewer;
  values: AddSubscriberValues;
  errors: readonly ErrorDetail[];
}): SafeHtml {
  const { values, errors } = input;
  const emailError = errorFor(errors, 'email');
  if (input.catalog.pages.length === 0) {
    return html`<p>No status page is set up yet: import a page's components first (see the README).</p>`;
  }
  return html`<form method="post" action="/console/subscribers" novalidate data-validate data-error-email-missing="${MESSAGES.emailMissing}" data-error-email-format="${MESSAGES.emailFormat}" data-error-topics="${MESSAGES.noTopics}">
${hidden('csrf', input.viewer.csrf)}
<div class="field${emailError ? ' field-error' : ''}"><label class="block" for="email">Email</label>
${errorMessage('email', emailError)}
<input type="email" id="email" name="email" value="${values.email}" autocomplete="off" spellcheck="false"${emailError ? html` aria-describedby="email-error"` : ''}></div>
${input.catalog.pages.map((page, index) =>
  topicTree({
    page,
    selected: values.topics,
    id: index === 0 ? 'topics' : `topics-${index}`,
    legend: `Topics on ${page.name}`,
    ...(index === 0 && errorFor(errors, 'topics') ? { error: errorFor(errors, 'topics') } : {}),
  }),
)}
${levelChoice(values.level, errorFor(errors, 'level'))}
${choice({
  type: 'checkbox',
  name: 'confirmed',
  id: 'confirmed',
  value: 'true',
  label: 'Already confirmed',
  hint: 'They asked for this themselves: no confirmation mail. Leave it unticked to send one.',
  checked: values.confirmed,
})}
<div class="actions"><button type="submit">Add subscriber</button></div>
</form>`;
}

/** Search, the results a page at a time, and the form to add one. */
export function subscribersPage(input: {
  viewer: ConsoleViewer;
  search: SubscriberSearchView;
  catalog: CatalogView;
  notice?: string;
  add?: { values: AddSubscriberValues; errors: readonly ErrorDetail[] };
}): string {
  const { search, viewer } = input;
  const errors = input.add?.errors ?? [];
  const values = input.add?.values ?? {
    email: '',
    topics: new Set<string>(),
    level: 'all',
    confirmed: false,
  };
  const firstPage = input.catalog.pages[0];
  return consolePage({
    title: 'Subscribers',
    current: 'subscribers',
    viewer,
    hasErrors: errors.length > 0,
    body: html`<h1>Subscribers</h1>
${errorSummary(errors, { ...(firstPage ? { topics: firstTopicId(firstPage) } : {}), level: 'level-all' })}
${doneNotice(input.notice)}
<form method="get" action="/console/subscribers" role="search" class="search">
<div class="field"><label class="block" for="q">Search subscribers</label>
<span class="hint" id="q-hint">An address, a domain (@example.com) or the start of an address; *part finds a part anywhere, more slowly</span>
<input type="search" id="q" name="email" value="${search.email}" aria-describedby="q-hint" spellcheck="false"></div>
<div class="field"><label class="block" for="status">Status</label>
<select id="status" name="status"><option value="">Any</option>${STATUSES.map(
      (status) =>
        html`<option value="${status}"${search.status === status ? html` selected` : ''}>${status}</option>`,
    )}</select></div>
<div class="field"><button type="submit">Search</button></div>
</form>
<h2>${search.email || search.status ? 'Matching subscribers' : 'All subscribers'}</h2>
${results(search)}
<h2 id="add">Add a subscriber</h2>
${viewer.canWrite ? addForm({ catalog: input.catalog, viewer, values, errors }) : readOnlyNote()}`,
  });
}
