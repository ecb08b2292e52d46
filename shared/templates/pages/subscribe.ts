import type { PageView } from '../../domain/catalog';
import { MESSAGES } from '../../domain/form-messages';
import type { ErrorDetail } from '../../errors';
import { choice, errorFor, errorMessage, errorSummary, hidden, timeZoneField } from '../forms';
import { html } from '../html';
import { layout } from '../layout';
import { firstTopicId, levelChoice, topicTree } from '../topic-tree';
import { openIncidentsList } from './follow';

export interface SubscribeFormInput {
  page: PageView;
  values: {
    email: string;
    topics: ReadonlySet<string>;
    level: string;
    /** Where updates go: `email` (the default) or `webhook`. */
    channel?: string;
    webhookUrl?: string;
    ownerEmail?: string;
    format?: string;
  };
  errors: readonly ErrorDetail[];
  /** In an iframe on the page owner's site: no masthead, and the answer stays in the frame. */
  embed: boolean;
  /** The page's incidents going on now, each of which can be followed alone. */
  openIncidents?: Parameters<typeof openIncidentsList>[0];
}

/**
 * The subscribe form. It works as a plain form post; the script adds the tri-state tree and checks the
 * form before sending, with the same messages (carried in data attributes) as the server's.
 */
export function subscribePage(input: SubscribeFormInput): string {
  const { page, values, errors } = input;
  const emailError = errorFor(errors, 'email');
  const title = `Get ${page.name} status updates`;
  return layout({
    title: errors.length ? `Error: ${title}` : title,
    brand: page.name,
    variant: input.embed ? 'embed' : 'page',
    body: html`<h1>${title}</h1>
${errorSummary(errors, { topics: firstTopicId(page), level: 'level-all' })}
<p>Choose what you want to hear about. We send one message per update; every email about an incident lands in one conversation.</p>
<form method="post" action="/subscribe" novalidate data-validate data-error-email-missing="${MESSAGES.emailMissing}" data-error-email-format="${MESSAGES.emailFormat}" data-error-topics="${MESSAGES.noTopics}">
${hidden('page', page.id)}${input.embed ? hidden('embed', '1') : ''}${timeZoneField}
${channelChoice(values.channel ?? 'email')}
<div data-channel="email"><div class="field${emailError ? ' field-error' : ''}"><label class="block" for="email">Email</label>
<span class="hint" id="email-hint">We send a link to confirm it's you. Nothing is sent until you confirm.</span>
${errorMessage('email', emailError)}
<input type="email" id="email" name="email" value="${values.email}" autocomplete="email" spellcheck="false" aria-describedby="email-hint${emailError ? ' email-error' : ''}"></div></div>
${webhookFields(values, errors)}
${topicTree({ page, selected: values.topics, legend: 'What do you want updates about?', hint: 'Choose the whole page, whole regions, or single components.', ...(errorFor(errors, 'topics') ? { error: errorFor(errors, 'topics') } : {}) })}
${levelChoice(values.level, errorFor(errors, 'level'))}
<button type="submit">Subscribe</button>
</form>
${input.embed ? '' : openIncidentsList(input.openIncidents ?? [])}`,
  });
}

/** Email or a webhook: without the script both sets of fields show, and the choice says which counts. */
function channelChoice(selected: string) {
  return html`<fieldset id="channel"><legend>Where should updates go?</legend>
${[
  { value: 'email', label: 'Email', hint: 'One email per update, threaded per incident' },
  { value: 'webhook', label: 'Webhook', hint: 'A signed JSON POST per update to a URL of yours' },
].map((option) =>
  choice({
    type: 'radio',
    name: 'channel',
    id: `channel-${option.value}`,
    value: option.value,
    label: option.label,
    hint: option.hint,
    checked: selected === option.value,
  }),
)}</fieldset>`;
}

/** A webhook's URL, its owner's address for notices about it, and the format of what it receives. */
function webhookFields(values: SubscribeFormInput['values'], errors: readonly ErrorDetail[]) {
  const urlError = errorFor(errors, 'webhookUrl');
  const ownerError = errorFor(errors, 'ownerEmail');
  return html`<div data-channel="webhook">
<div class="field${urlError ? ' field-error' : ''}"><label class="block" for="webhookUrl">Webhook URL</label>
<span class="hint" id="webhookUrl-hint">https, on port 443 or 8443. We POST a verification event with a confirm link to it first; nothing else is sent until it is confirmed.</span>
${errorMessage('webhookUrl', urlError)}
<input type="url" id="webhookUrl" name="webhookUrl" value="${values.webhookUrl ?? ''}" spellcheck="false" autocomplete="off" aria-describedby="webhookUrl-hint${urlError ? ' webhookUrl-error' : ''}"></div>
<div class="field${ownerError ? ' field-error' : ''}"><label class="block" for="ownerEmail">Email for notices about this webhook</label>
<span class="hint" id="ownerEmail-hint">Where we send its management link, and a notice if it stops answering.</span>
${errorMessage('ownerEmail', ownerError)}
<input type="email" id="ownerEmail" name="ownerEmail" value="${values.ownerEmail ?? ''}" autocomplete="email" spellcheck="false" aria-describedby="ownerEmail-hint${ownerError ? ' ownerEmail-error' : ''}"></div>
<fieldset id="format"><legend>What it receives</legend>
${choice({ type: 'radio', name: 'format', id: 'format-v1', value: 'v1', label: 'Versioned JSON events (v1)', checked: (values.format ?? 'v1') !== 'statuspage' })}
${choice({ type: 'radio', name: 'format', id: 'format-statuspage', value: 'statuspage', label: 'Statuspage webhook bodies', hint: 'For tools that already read Statuspage webhooks', checked: values.format === 'statuspage' })}
</fieldset></div>`;
}

/** The same page whatever the address's state: it never says whether the address was already subscribed. */
/** After a webhook's subscribe: where to find the confirm link. The same whatever the endpoint's state. */
export function checkEndpointPage(input: { endpoint: string; page?: PageView; embed: boolean }): string {
  return layout({
    title: 'Check your endpoint',
    ...(input.page ? { brand: input.page.name } : {}),
    variant: input.embed ? 'embed' : 'page',
    body: html`<h1>Check your endpoint</h1>
<div class="notice" role="status"><p>If it can be subscribed, we have POSTed a verification event to <strong>${input.endpoint}</strong>, and mailed its owner.</p></div>
<p>Open the <code>confirm_url</code> in that event's <code>data</code> within 48 hours and press <strong>Confirm subscription</strong>: the page then shows the webhook's signing secret, once. Until then it gets no updates.</p>
${input.page ? html`<p><a href="${subscribeUrl(input.page.id, input.embed)}">Subscribe something else</a></p>` : ''}`,
  });
}

export function checkInboxPage(input: { email: string; page?: PageView; embed: boolean }): string {
  return layout({
    title: 'Check your inbox',
    ...(input.page ? { brand: input.page.name } : {}),
    variant: input.embed ? 'embed' : 'page',
    body: html`<h1>Check your inbox</h1>
<div class="notice" role="status"><p>We've sent a link to <strong>${input.email}</strong> if it can be subscribed.</p></div>
<p>Open the email and press <strong>Confirm subscription</strong> within 48 hours. Until then you get no updates.</p>
<p class="muted">Nothing arrived after a few minutes? Look in your spam folder, or check the address and try again.</p>
${input.page ? html`<p><a href="${subscribeUrl(input.page.id, input.embed)}">Subscribe another address</a></p>` : ''}`,
  });
}

/** Where a page's subscribe form is: the embeddable one stays in its frame. */
const subscribeUrl = (pageId: string, embed: boolean) =>
  `/subscribe${embed ? '/embed' : ''}?page=${encodeURIComponent(pageId)}`;

/** `/subscribe` with several status pages: which one. */
export function pageListPage(pages: readonly PageView[], embed: boolean): string {
  return layout({
    title: 'Subscribe to status updates',
    variant: embed ? 'embed' : 'page',
    body: pages.length
      ? html`<h1>Subscribe to status updates</h1><p>Which status page do you want updates from?</p>
<ul class="topics">${pages.map((p) => html`<li><a href="${subscribeUrl(p.id, embed)}">${p.name}</a></li>`)}</ul>`
      : html`<h1>Subscribe to status updates</h1><p>No status page is set up yet. Please come back later.</p>`,
  });
}
