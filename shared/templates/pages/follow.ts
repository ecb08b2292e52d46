import { MESSAGES } from '../../domain/form-messages';
import type { ErrorDetail } from '../../errors';
import { errorFor, errorMessage, errorSummary, hidden, timeZoneField } from '../forms';
import { html, type SafeHtml } from '../html';
import { layout } from '../layout';
import { statusLabel } from '../notification';

/** An incident as its follow page shows it. */
export interface FollowView {
  incidentId: string;
  name: string;
  status: string;
  pageName: string;
  /** The newest update's text, as the page shows the incident's state. */
  latest?: { at: string; body: string };
}

/** The "Follow this incident" form, for one incident. */
export function followPage(input: {
  incident: FollowView;
  email: string;
  errors: readonly ErrorDetail[];
}): string {
  const { incident, errors } = input;
  const emailError = errorFor(errors, 'email');
  const title = `Follow “${incident.name}”`;
  return layout({
    title: errors.length ? `Error: ${title}` : title,
    brand: incident.pageName,
    variant: 'page',
    body: html`<h1>${title}</h1>
${errorSummary(errors)}
<p><span class="badge">${statusLabel(incident.status)}</span></p>
${incident.latest ? html`<p>${incident.latest.body.length > 600 ? `${incident.latest.body.slice(0, 599)}…` : incident.latest.body}</p>` : ''}
<p>Get an email with each update about this incident until it is resolved, and its postmortem if one is written: every email in one conversation. Nothing else.</p>
<form method="post" action="/follow" novalidate data-validate data-error-email-missing="${MESSAGES.emailMissing}" data-error-email-format="${MESSAGES.emailFormat}">
${hidden('incident', incident.incidentId)}${timeZoneField}
<div class="field${emailError ? ' field-error' : ''}"><label class="block" for="email">Email</label>
<span class="hint" id="email-hint">We send a link to confirm it's you. Nothing is sent until you confirm.</span>
${errorMessage('email', emailError)}
<input type="email" id="email" name="email" value="${input.email}" autocomplete="email" spellcheck="false" aria-describedby="email-hint${emailError ? ' email-error' : ''}"></div>
<button type="submit">Follow this incident</button>
</form>`,
  });
}

/** What the subscribe page shows of a page's open incidents: each with a link to follow it alone. */
export function openIncidentsList(
  incidents: ReadonlyArray<Pick<FollowView, 'incidentId' | 'name' | 'status'>>,
): SafeHtml | '' {
  if (incidents.length === 0) return '';
  return html`<section aria-labelledby="happening-now"><h2 id="happening-now">Happening now</h2>
<p>Only interested in one of these? Follow it alone, until it is over.</p>
<ul class="topics">${incidents.map(
    (incident) =>
      html`<li><strong>${incident.name}</strong> <span class="muted">${statusLabel(incident.status)}</span> · <a href="/follow?incident=${encodeURIComponent(incident.incidentId)}">Follow this incident</a></li>`,
  )}</ul></section>`;
}
