import type { IncidentReport } from '../../../domain/admin-views';
import type { ErrorDetail } from '../../../errors';
import { errorFor, errorMessage, errorSummary } from '../../forms';
import { html, safeHttpUrl } from '../../html';
import { badge, type ConsoleViewer, consolePage, tableWrap, when } from './frame';

/** Find an incident by its id: Statuspage's own, or the notifier's full one. */
export function incidentLookupPage(input: {
  viewer: ConsoleViewer;
  id?: string;
  errors?: readonly ErrorDetail[];
}): string {
  const errors = input.errors ?? [];
  const idError = errorFor(errors, 'id');
  return consolePage({
    title: 'Incidents',
    current: 'incidents',
    viewer: input.viewer,
    hasErrors: errors.length > 0,
    body: html`<h1>Incidents</h1>${errorSummary(errors)}
<p>What was sent for an incident: each update with how many subscribers matched, got it, failed, were skipped or bounced.</p>
<form method="get" action="/console/incidents" role="search">
<div class="field${idError ? ' field-error' : ''}"><label class="block" for="id">Incident id</label>
<span class="hint" id="id-hint">Statuspage's incident id (the end of the incident's URL), or the full id from a delivery</span>
${errorMessage('id', idError)}
<input type="search" id="id" name="id" value="${input.id ?? ''}" spellcheck="false" aria-describedby="id-hint${idError ? ' id-error' : ''}"></div>
<div class="actions"><button type="submit">Show incident</button></div></form>`,
  });
}

const excerpt = (text: string) => (text.length > 160 ? `${text.slice(0, 159)}…` : text);

/** An incident, its updates oldest first, and per update what happened to the mail. */
export function incidentPage(input: {
  viewer: ConsoleViewer;
  report: IncidentReport;
  pageName?: string;
}): string {
  const { incident, updates } = input.report;
  const link = safeHttpUrl(incident.shortlink);
  const rows = updates.map(
    (
      u,
    ) => html`<tr><td>${when(u.displayAt)}</td><td class="text">${badge(u.status)}${u.notify ? '' : html` <span class="muted">(not notified)</span>`}<br><span class="muted">${excerpt(u.body)}</span></td>
<td class="num">${u.counts.matched}</td><td class="num">${u.counts.sent}</td><td class="num">${u.counts.failed}</td><td class="num">${u.counts.skipped}</td><td class="num">${u.counts.outcomes.bounced ?? 0}</td><td class="num">${u.counts.outcomes.complained ?? 0}</td></tr>`,
  );
  return consolePage({
    title: incident.name,
    current: 'incidents',
    viewer: input.viewer,
    body: html`<p><a href="/console/incidents">Incidents</a></p><h1>${incident.name}</h1>
<dl class="facts"><dt>Status</dt><dd>${badge(incident.status)}</dd>
<dt>Impact</dt><dd>${badge(`impact-${incident.impact}`, incident.impact)}</dd>
<dt>Status page</dt><dd>${input.pageName ?? html`<code>${incident.pageId}</code>`}</dd>
<dt>Started</dt><dd>${when(incident.createdAt)}</dd>
<dt>Last change</dt><dd>${when(incident.updatedAt)}</dd>
<dt>Id</dt><dd><code>${incident.incidentId}</code></dd>
${link ? html`<dt>On the status page</dt><dd><a href="${link}">${link}</a></dd>` : ''}</dl>
<h2>Updates</h2>
${
  updates.length
    ? tableWrap(
        'Updates and their mail',
        html`<table><thead><tr><th scope="col">When</th><th scope="col">Update</th><th scope="col" class="num">Matched</th><th scope="col" class="num">Sent</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Skipped</th><th scope="col" class="num">Bounced</th><th scope="col" class="num">Complaints</th></tr></thead><tbody>${rows}</tbody></table>`,
      )
    : html`<p>No update has been stored for this incident.</p>`
}
<p class="muted">Matched: subscribers who follow an affected component at a level that wants this update. Skipped: unsubscribed, suppressed or erased by the time it was sent. Bounced and complaints come from the recipients' mail servers, through SES.</p>`,
  });
}
