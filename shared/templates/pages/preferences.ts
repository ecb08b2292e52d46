import type { PageView } from '../../domain/catalog';
import { PLATFORM_NAMES } from '../../domain/chat-url';
import { timeZoneChoices } from '../../domain/time-zone';
import type { ErrorDetail } from '../../errors';
import { errorFor, errorMessage, errorSummary, hidden } from '../forms';
import { html, type SafeHtml } from '../html';
import { layout } from '../layout';
import { capitalized } from '../text';
import { firstTopicId, levelChoice, levelLabel, topicTree } from '../topic-tree';
import { type EndpointPanelInput, endpointPanel } from './endpoint-panel';
import { signingSecretBlock } from './message';

export interface PreferencesPageInput {
  email: string;
  status: string;
  level: string;
  /** Their IANA zone for times in mail; absent: the status page's. */
  timeZone?: string | undefined;
  /** What the subscriber follows: the topic key (a checkbox's value) and the topic in words. */
  topics: ReadonlyArray<{ key: string; label: string }>;
  /** The trees of the pages they follow something on. */
  pages: readonly PageView[];
  /** Relative URLs that carry the manage token. */
  action: string;
  unsubscribeAction: string;
  /** After a save: what changed, in words. */
  changes?: {
    added: readonly string[];
    removed: readonly string[];
    level?: { from: string; to: string };
    timeZone?: { from: string; to: string };
    unsubscribed: boolean;
  };
  errors?: readonly ErrorDetail[];
  /** A webhook's subscriber (even unsubscribed, when `endpoint` is not shown). */
  channel?: unknown;
  /** A webhook's subscriber: its endpoint, health and deliveries (see endpoint-panel). */
  endpoint?: EndpointPanelInput;
  /** What an action on the endpoint did, in words; a rotated secret, shown once. */
  notice?: string;
  secret?: string;
  /** What the form showed when it was sent back with errors. */
  values?: { topics: ReadonlySet<string>; level: string; timeZone?: string };
}

const zoneLabel = (zone: string) => zone || "the status page's";

/** Times in mail (a maintenance window) in a zone of their choosing, beside UTC. */
function timeZoneChoice(selected: string, error: string | undefined): SafeHtml {
  return html`<div class="field${error ? ' field-error' : ''}"><label class="block" for="timeZone">Time zone</label>
<span class="hint" id="timeZone-hint">Maintenance windows in your mail show in this time zone and in UTC.</span>
${errorMessage('timeZone', error)}
<select id="timeZone" name="timeZone" aria-describedby="timeZone-hint${error ? ' timeZone-error' : ''}"><option value=""${selected ? '' : html` selected`}>The status page's time zone</option>${timeZoneChoices(
    selected,
  ).map((zone) => html`<option${zone === selected ? html` selected` : ''}>${zone}</option>`)}</select></div>`;
}

function changesNotice(changes: NonNullable<PreferencesPageInput['changes']>): SafeHtml {
  const lines = [
    ...changes.added.map((label) => `Added ${label}`),
    ...changes.removed.map((label) => `Removed ${label}`),
    ...(changes.level
      ? [`How often: ${levelLabel(changes.level.from)} → ${levelLabel(changes.level.to)}`]
      : []),
    ...(changes.timeZone
      ? [`Time zone: ${zoneLabel(changes.timeZone.from)} → ${zoneLabel(changes.timeZone.to)}`]
      : []),
  ];
  const title = changes.unsubscribed
    ? 'You are unsubscribed. No more updates will be sent.'
    : lines.length
      ? 'Your preferences are saved.'
      : 'Nothing changed: your preferences were already like this.';
  return html`<div class="notice" role="status" tabindex="-1" data-focus><p><strong>${title}</strong></p>${
    lines.length ? html`<ul>${lines.map((line) => html`<li>${line}</li>`)}</ul>` : ''
  }</div>`;
}

/** Preferences behind the link in every mail: what they follow, the tree to change it, how often, a way out. */
export function preferencesPage(input: PreferencesPageInput): string {
  const errors = input.errors ?? [];
  const unsubscribed = input.status === 'unsubscribed';
  const selected = input.values?.topics ?? new Set(input.topics.map((t) => t.key));
  const level = input.values?.level ?? input.level;
  const chat =
    input.endpoint && input.endpoint.channel.type !== 'webhook'
      ? PLATFORM_NAMES[input.endpoint.channel.type]
      : undefined;
  const title = chat ? `Your ${chat} channel` : input.endpoint ? 'Your webhook' : 'Your email updates';
  const following = html`<ul class="topics">${input.topics.map(
    (topic) =>
      html`<li><span>${capitalized(topic.label)}</span>${
        // The last topic goes with "Unsubscribe from everything", which says what it does.
        unsubscribed || input.topics.length === 1
          ? ''
          : html`<form class="inline" method="post" action="${input.action}">${hidden('remove', topic.key)}<button type="submit" class="link">Remove<span class="visually-hidden"> ${topic.label}</span></button></form>`
      }</li>`,
  )}</ul>`;
  const firstPage = input.pages[0];
  // Only incidents were followed, and they are over: what to subscribe to is chosen anew.
  const firstPageLink = firstPage
    ? html`<p><a href="/subscribe?page=${encodeURIComponent(firstPage.id)}">Subscribe to ${firstPage.name} updates</a></p>`
    : html`<p><a href="/subscribe">Subscribe to status updates</a></p>`;
  const body = unsubscribed
    ? html`<p>You are unsubscribed: nothing is sent to <strong>${input.email}</strong>.</p>
<h2>You used to follow</h2>${following}
${
  input.topics.some((t) => !t.key.startsWith('I#')) && !input.channel
    ? html`<form method="post" action="${input.action}">${hidden('action', 'resubscribe')}<button type="submit">Subscribe again</button></form>
<p class="muted">We'll send a link to confirm first.</p>`
    : firstPageLink
}`
    : html`${
        input.endpoint
          ? html`<p>Updates go to this ${chat ? `${chat} channel` : 'webhook'}, ${levelLabel(input.level).toLowerCase()}; notices about it to <strong>${input.email}</strong>.</p>${endpointPanel(input.endpoint, input.action)}`
          : html`<p>Updates go to <strong>${input.email}</strong>, ${levelLabel(input.level).toLowerCase()}.</p>`
      }
<h2>You follow</h2>${following}
${input.topics.some((t) => t.key.startsWith('I#')) ? html`<p class="muted">An incident you follow on its own sends every update until it is over, and its postmortem, whatever you choose below; then it ends by itself.</p>` : ''}
<h2>Change what you follow</h2>
<form method="post" action="${input.action}" novalidate>${hidden('action', 'save')}
${input.pages.map((page, index) =>
  topicTree({
    page,
    selected,
    id: index === 0 ? 'topics' : `topics-${index}`,
    legend: `Updates about ${page.name}`,
    ...(index === 0 && errorFor(errors, 'topics') ? { error: errorFor(errors, 'topics') } : {}),
  }),
)}
${levelChoice(level, errorFor(errors, 'level'))}
${
  // Times in mail only: a webhook's events carry UTC.
  input.endpoint
    ? ''
    : timeZoneChoice(input.values?.timeZone ?? input.timeZone ?? '', errorFor(errors, 'timeZone'))
}
<button type="submit">Save</button></form>
<hr><h2>Stop all updates</h2>
<form method="post" action="${input.unsubscribeAction}"><button type="submit" class="danger">Unsubscribe from everything</button></form>`;
  return layout({
    title: errors.length ? `Error: ${title}` : title,
    ...(firstPage ? { brand: firstPage.name } : {}),
    body: html`<h1>${title}</h1>${errorSummary(errors, { ...(firstPage ? { topics: firstTopicId(firstPage) } : {}), level: 'level-all' })}${
      input.changes ? changesNotice(input.changes) : ''
    }${input.notice ? html`<div class="notice" role="status" tabindex="-1" data-focus><p>${input.notice}</p></div>` : ''}${
      input.secret ? signingSecretBlock(input.secret) : ''
    }${body}`,
  });
}
