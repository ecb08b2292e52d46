import type { EndpointView, IncidentReport, Suppression } from '../../../domain/admin-views';
import { type CatalogView, pageCatalogOf } from '../../../domain/catalog';
import type { Delivery } from '../../../domain/delivery';
import { MESSAGES } from '../../../domain/form-messages';
import type { Subscriber } from '../../../domain/subscriber';
import { describeTopic } from '../../../domain/topics';
import type { ErrorDetail } from '../../../errors';
import { errorFor, errorSummary, hidden } from '../../forms';
import { html, type SafeHtml } from '../../html';
import { capitalized } from '../../text';
import { firstTopicId, levelChoice, levelLabel, topicTree } from '../../topic-tree';
import { endpointHealth } from '../endpoint-panel';
import { badge, type ConsoleViewer, consolePage, doneNotice, readOnlyNote, tableWrap, when } from './frame';

export interface SubscriberPageInput {
  viewer: ConsoleViewer;
  subscriber: Subscriber;
  catalog: CatalogView;
  suppression?: Suppression;
  /** A webhook subscriber's endpoint: where updates go and its health. */
  endpoint?: EndpointView;
  deliveries: readonly Delivery[];
  /** More history than shown: the cursor of the next page. */
  deliveriesCursor?: string;
  /** The incidents the deliveries are about, where they could be read: names and updates. */
  incidents: ReadonlyMap<string, IncidentReport>;
  notice?: string;
  errors?: readonly ErrorDetail[];
  values?: { topics: ReadonlySet<string>; level: string };
}

type Pages = CatalogView['pages'];

/** Ticking nothing on a subscriber's page: what stops the mail instead. */
export const NO_TOPICS_LEFT = `${MESSAGES.noTopics}: to stop all mail, suppress the address or remove the subscriber`;

/** A followed topic in words, as the mails say it: "Channel - Chat in Prod1 (US) (Kustomer)". */
function topicLabel(topic: Subscriber['topics'][number], pages: Pages): string {
  const page = pages.find((p) => p.id === topic.pageId);
  return capitalized(describeTopic(topic, page && pageCatalogOf(page)));
}

function suppressionFacts(input: SubscriberPageInput): SafeHtml {
  const { suppression, viewer, subscriber } = input;
  const action = `/console/subscribers/${encodeURIComponent(subscriber.id)}`;
  const button = !viewer.canWrite
    ? ''
    : suppression
      ? html`<form method="post" action="${action}" class="inline">${hidden('csrf', viewer.csrf)}${hidden('action', 'lift')}<button type="submit" class="secondary">Lift suppression</button></form>`
      : html`<form method="post" action="${action}" class="inline">${hidden('csrf', viewer.csrf)}${hidden('action', 'suppress')}<button type="submit" class="secondary">Suppress</button></form>`;
  const state = suppression
    ? html`${badge('suppressed')} since ${when(suppression.createdAt)}: ${suppression.reason} <span class="muted">(by ${suppression.source})</span>`
    : html`Not suppressed: mail can go to this address`;
  return html`<dt>Suppression</dt><dd><p>${state}</p>${button}</dd>`;
}

const WHY_NOT: Record<string, string> = { pending: 'Waiting to be sent' };

/** The history per incident: its name as a heading (a link to it), then a row per update sent or not. */
function history(input: SubscriberPageInput): SafeHtml {
  if (input.deliveries.length === 0) return html`<p>No incident has been sent to this subscriber yet.</p>`;
  const byIncident = new Map<string, Delivery[]>();
  for (const delivery of input.deliveries) {
    byIncident.set(delivery.incidentId, [...(byIncident.get(delivery.incidentId) ?? []), delivery]);
  }
  const incidents = [...byIncident.entries()].map(([incidentId, deliveries]) => {
    const report = input.incidents.get(incidentId);
    const name = report?.incident.name ?? incidentId;
    const updates = new Map(report?.updates.map((u) => [u.updateId, u]));
    const rows = deliveries.map((d) => {
      const update = updates.get(d.updateId);
      const what = update
        ? html`${update.status} <span class="muted">${when(update.displayAt)}</span>`
        : d.updateId;
      // A webhook's delivery: what its endpoint answered, how fast, after how many attempts.
      const answered =
        d.channel === 'webhook' && (d.httpStatus !== undefined || d.attempts > 0)
          ? `HTTP ${d.httpStatus ?? 'none'}${d.latencyMs !== undefined ? `, ${d.latencyMs} ms` : ''}, attempt ${d.attempts}${d.error ? `: ${d.error}` : ''}`
          : undefined;
      const detail = d.messageId
        ? html`<code>${d.messageId}</code>`
        : (answered ?? d.error ?? WHY_NOT[d.status] ?? '');
      return html`<tr><td>${what}</td><td>${badge(d.status)}${d.outcome ? html` ${badge(d.outcome)}` : ''}</td><td>${when(d.sentAt)}</td><td class="${d.messageId ? '' : 'text'}">${detail}</td></tr>`;
    });
    return html`<h3><a href="/console/incidents/${encodeURIComponent(incidentId)}">${name}</a></h3>${tableWrap(
      `Deliveries for ${name}`,
      html`<table><thead><tr><th scope="col">Update</th><th scope="col">State</th><th scope="col">Sent at</th><th scope="col">SES message id or endpoint's answer, or why not</th></tr></thead><tbody>${rows}</tbody></table>`,
    )}`;
  });
  return html`${incidents}${
    input.deliveriesCursor
      ? html`<p><a href="/console/subscribers/${encodeURIComponent(input.subscriber.id)}?history=${encodeURIComponent(input.deliveriesCursor)}#history">Older deliveries</a></p>`
      : ''
  }`;
}

/** One subscriber: what they are, what they follow, whether mail reaches them, and what was sent. */
export function subscriberPage(input: SubscriberPageInput): string {
  const { subscriber: s, viewer, catalog } = input;
  const errors = input.errors ?? [];
  const selected = input.values?.topics ?? new Set(s.topics.map((t) => t.key));
  const level = input.values?.level ?? s.level;
  const firstPage = catalog.pages[0];
  const action = `/console/subscribers/${encodeURIComponent(s.id)}`;
  const change = viewer.canWrite
    ? html`<form method="post" action="${action}" novalidate data-validate data-error-topics="${NO_TOPICS_LEFT}">
${hidden('csrf', viewer.csrf)}${hidden('action', 'save')}
${catalog.pages.map((page, index) =>
  topicTree({
    page,
    selected,
    id: index === 0 ? 'topics' : `topics-${index}`,
    legend: `Topics on ${page.name}`,
    ...(index === 0 && errorFor(errors, 'topics') ? { error: errorFor(errors, 'topics') } : {}),
  }),
)}
${levelChoice(level, errorFor(errors, 'level'))}
<div class="actions"><button type="submit">Save changes</button></div></form>
<h2>Remove</h2>
<p>Erasure, on request: the subscriber and their address go; their delivery history stays, without the address.</p>
<p><a class="button secondary" href="${action}/remove">Remove subscriber</a></p>`
    : readOnlyNote();
  return consolePage({
    title: s.email,
    current: 'subscribers',
    viewer,
    hasErrors: errors.length > 0,
    body: html`<p><a href="/console/subscribers">Subscribers</a></p><h1>${s.email}</h1>
${errorSummary(errors, { ...(firstPage ? { topics: firstTopicId(firstPage) } : {}), level: 'level-all' })}
${doneNotice(input.notice)}
<dl class="facts"><dt>Status</dt><dd>${badge(s.status)}</dd>
${s.channel ? html`<dt>Updates go to</dt><dd>the webhook ${s.channel.endpoint} (${s.channel.format}); ${s.email} gets its notices</dd>` : ''}
<dt>How often</dt><dd>${levelLabel(s.level)}</dd>
<dt>Added</dt><dd>${when(s.createdAt)}</dd>
<dt>Confirmed</dt><dd>${s.confirmedAt ? when(s.confirmedAt) : 'Not yet'}</dd>
<dt>Id</dt><dd><code>${s.id}</code></dd>
${suppressionFacts(input)}</dl>
${endpointSection(input)}
<h2>Follows</h2>
<ul class="topics">${s.topics.map((t) => html`<li>${topicLabel(t, catalog.pages)}</li>`)}${(
      s.follows ?? []
    ).map((f) => html`<li>The incident “${f.name}”, on its own until it is over</li>`)}</ul>
<h2 id="history">Delivery history</h2>
${history(input)}
${viewer.canWrite ? html`<h2>Change topics and how often</h2>` : html`<h2>Change</h2>`}${change}`,
  });
}

/** A webhook's health, and what support can do about it: send a test event, resume it once paused. */
function endpointSection(input: SubscriberPageInput): SafeHtml | string {
  const { endpoint, viewer, subscriber } = input;
  if (!endpoint) return '';
  const action = `/console/subscribers/${encodeURIComponent(subscriber.id)}`;
  const button = (name: string, label: string) =>
    html`<form method="post" action="${action}">${hidden('csrf', viewer.csrf)}${hidden('action', name)}<button type="submit" class="secondary">${label}</button></form>`;
  return html`<h2>Webhook</h2>
${endpointHealth(endpoint.health)}
${
  viewer.canWrite
    ? html`<div class="actions">${button('test', 'Send a test event')}${endpoint.health.quarantinedAt ? button('resume', 'Resume') : ''}</div>`
    : ''
}`;
}

/** The step before an erasure: what will happen, and a button that does it. */
export function removePage(input: { viewer: ConsoleViewer; subscriber: Subscriber }): string {
  const { subscriber: s, viewer } = input;
  const action = `/console/subscribers/${encodeURIComponent(s.id)}`;
  return consolePage({
    title: `Remove ${s.email}`,
    current: 'subscribers',
    viewer,
    body: html`<h1>Remove ${s.email}?</h1>
<p>This erases the subscriber: their address, topics and preferences go, and no more mail is sent to them. Their delivery history is kept for the incident counts, without the address.</p>
<p><strong>This cannot be undone.</strong> To only stop mail, suppress the address instead.</p>
<form method="post" action="${action}/remove">${hidden('csrf', viewer.csrf)}
<div class="actions"><button type="submit" class="danger">Remove subscriber</button><a href="${action}">Cancel</a></div></form>`,
  });
}
