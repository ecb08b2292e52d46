import type { Suppression } from '../../../domain/admin-views';
import type { ErrorDetail } from '../../../errors';
import { errorFor, errorMessage, errorSummary, hidden } from '../../forms';
import { html, type SafeHtml } from '../../html';
import { type ConsoleViewer, consolePage, doneNotice, readOnlyNote, tableWrap, when } from './frame';

export interface SuppressionValues {
  email: string;
  reason: string;
}

/** The list; with a write key, one form around it whose per-row buttons each lift one address. */
function table(input: { viewer: ConsoleViewer; items: readonly Suppression[] }): SafeHtml {
  const { viewer } = input;
  // The button comes right after the address, so a phone shows it without scrolling sideways.
  const lift = (s: Suppression) =>
    viewer.canWrite
      ? html`<td><button type="submit" class="link" name="email" value="${s.email}">Lift<span class="visually-hidden"> the suppression of ${s.email}</span></button></td>`
      : '';
  const rows = input.items.map(
    (s) =>
      html`<tr><td>${s.email}</td>${lift(s)}<td class="text">${s.reason}</td><td>${when(s.createdAt)}</td><td>${s.source}</td></tr>`,
  );
  const action = viewer.canWrite
    ? html`<th scope="col"><span class="visually-hidden">Action</span></th>`
    : '';
  const list = tableWrap(
    'Suppressed addresses',
    html`<table><thead><tr><th scope="col">Email</th>${action}<th scope="col">Reason</th><th scope="col">Since</th><th scope="col">By</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
  return viewer.canWrite
    ? html`<form method="post" action="/console/suppressions">${hidden('csrf', viewer.csrf)}${hidden('action', 'lift')}${list}</form>`
    : list;
}

/** Addresses that get no mail whatever they follow: bounces, complaints, and support's word. */
export function suppressionsPage(input: {
  viewer: ConsoleViewer;
  items: readonly Suppression[];
  cursor?: string;
  paged: boolean;
  notice?: string;
  values?: SuppressionValues;
  errors?: readonly ErrorDetail[];
}): string {
  const { viewer } = input;
  const errors = input.errors ?? [];
  const values = input.values ?? { email: '', reason: '' };
  const emailError = errorFor(errors, 'email');
  const reasonError = errorFor(errors, 'reason');
  const form = html`<form method="post" action="/console/suppressions" novalidate>${hidden('csrf', viewer.csrf)}${hidden('action', 'add')}
<div class="field${emailError ? ' field-error' : ''}"><label class="block" for="email">Email</label>${errorMessage('email', emailError)}
<input type="email" id="email" name="email" value="${values.email}" autocomplete="off" spellcheck="false"${emailError ? html` aria-describedby="email-error"` : ''}></div>
<div class="field${reasonError ? ' field-error' : ''}"><label class="block" for="reason">Reason</label>
<span class="hint" id="reason-hint">Why, for whoever reads this later: “asked by phone”, “hard bounce”</span>${errorMessage('reason', reasonError)}
<input type="text" id="reason" name="reason" value="${values.reason}" maxlength="500" aria-describedby="reason-hint${reasonError ? ' reason-error' : ''}"></div>
<div class="actions"><button type="submit">Suppress</button></div></form>`;
  return consolePage({
    title: 'Suppressions',
    current: 'suppressions',
    viewer,
    hasErrors: errors.length > 0,
    body: html`<h1>Suppressions</h1>
${errorSummary(errors)}${doneNotice(input.notice)}
<p>No mail goes to these addresses, whatever they follow. Bounces and complaints add themselves here.</p>
${input.items.length ? table({ viewer, items: input.items }) : html`<p>No address is suppressed.</p>`}
<div class="actions">${input.paged ? html`<a href="/console/suppressions">First page</a>` : ''}${
      input.cursor
        ? html`<a href="/console/suppressions?cursor=${encodeURIComponent(input.cursor)}">Next page</a>`
        : ''
    }</div>
<h2>Suppress an address</h2>
${viewer.canWrite ? form : readOnlyNote()}`,
  });
}
