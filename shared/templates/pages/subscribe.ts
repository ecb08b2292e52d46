import type { PageView } from '../../domain/catalog';
import type { ChannelType } from '../../domain/endpoint';
import { narrowingOfTopics } from '../../domain/feeds';
import { MESSAGES } from '../../domain/form-messages';
import type { ErrorDetail } from '../../errors';
import { choice, errorFor, errorMessage, errorSummary, hidden, timeZoneField } from '../forms';
import { html } from '../html';
import { layout } from '../layout';
import { firstTopicId, levelChoice, topicTree } from '../topic-tree';
import { feedAlternates, feedLinks } from './feed-links';
import { openIncidentsList } from './follow';

export interface SubscribeFormInput {
  page: PageView;
  values: {
    email: string;
    topics: ReadonlySet<string>;
    level: string;
    /** Where updates go: `email` (the default), `webhook`, or a chat platform. */
    channel?: string;
    webhookUrl?: string;
    slackUrl?: string;
    teamsUrl?: string;
    discordUrl?: string;
    googlechatUrl?: string;
    ownerEmail?: string;
    format?: string;
  };
  errors: readonly ErrorDetail[];
  /** In an iframe on the page owner's site: no masthead, and the answer stays in the frame. */
  embed: boolean;
  /** The page's incidents going on now, each of which can be followed alone. */
  openIncidents?: Parameters<typeof openIncidentsList>[0];
  /** The public base URL: the page offers its feeds (not when embedded). */
  feedsBaseUrl?: string;
}

/**
 * The subscribe form. It works as a plain form post; the script adds the tri-state tree and checks the
 * form before sending, with the same messages (carried in data attributes) as the server's.
 */
export function subscribePage(input: SubscribeFormInput): string {
  const { page, values, errors } = input;
  const emailError = errorFor(errors, 'email');
  const title = `Get ${page.name} status updates`;
  const feeds = input.embed ? undefined : input.feedsBaseUrl;
  return layout({
    title: errors.length ? `Error: ${title}` : title,
    brand: page.name,
    variant: input.embed ? 'embed' : 'page',
    ...(feeds ? { alternates: feedAlternates(page) } : {}),
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
${endpointFields(values, errors)}
${topicTree({ page, selected: values.topics, legend: 'What do you want updates about?', hint: 'Choose the whole page, whole regions, or single components.', ...(errorFor(errors, 'topics') ? { error: errorFor(errors, 'topics') } : {}) })}
${levelChoice(values.level, errorFor(errors, 'level'))}
<button type="submit">Subscribe</button>
</form>
${feeds ? feedLinks(page, narrowingOfTopics(page, values.topics), feeds) : ''}
${input.embed ? '' : openIncidentsList(input.openIncidents ?? [])}`,
  });
}

/** Email, a webhook or a chat: without the script every set of fields shows, and the choice says which counts. */
function channelChoice(selected: string) {
  return html`<fieldset id="channel"><legend>Where should updates go?</legend>
${[
  { value: 'email', label: 'Email', hint: 'One email per update, threaded per incident' },
  { value: 'webhook', label: 'Webhook', hint: 'A signed JSON POST per update to a URL of yours' },
  ...CHATS.map(({ type, name, hint }) => ({ value: type, label: name, hint })),
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

/** The chat platforms, each with where to make its incoming webhook. */
const CHATS = [
  {
    type: 'slack',
    name: 'Slack',
    hint: 'A message in a Slack channel',
    howTo:
      'In Slack, add the Incoming Webhooks app to the channel and copy its URL (https://hooks.slack.com/services/…). We post a message with a Confirm button there first; nothing else is sent until it is confirmed.',
  },
  {
    type: 'teams',
    name: 'Microsoft Teams',
    hint: 'A card in a Teams channel',
    howTo:
      'In the Teams channel, open Workflows and choose “Post to a channel when a webhook request is received”, then copy the URL it gives. We post a card with a Confirm button there first.',
  },
  {
    type: 'discord',
    name: 'Discord',
    hint: 'A message in a Discord channel',
    howTo:
      'In Discord, open the channel’s settings, then Integrations, Webhooks, New Webhook, and copy its URL (https://discord.com/api/webhooks/…). We post a message with a Confirm link there first.',
  },
  {
    type: 'googlechat',
    name: 'Google Chat',
    hint: 'A card in a Google Chat space, one thread per incident',
    howTo:
      'In the Google Chat space, open Apps & integrations, then Webhooks, add one and copy its URL (https://chat.googleapis.com/v1/spaces/…). We post a card with a Confirm button there first.',
  },
] as const;

/** A URL field of an endpoint channel, with its hint and its error. */
function urlField(name: string, label: string, hint: string, value: string | undefined, error?: string) {
  return html`<div class="field${error ? ' field-error' : ''}"><label class="block" for="${name}">${label}</label>
<span class="hint" id="${name}-hint">${hint}</span>
${errorMessage(name, error)}
<input type="url" id="${name}" name="${name}" value="${value ?? ''}" spellcheck="false" autocomplete="off" aria-describedby="${name}-hint${error ? ` ${name}-error` : ''}"></div>`;
}

/**
 * A webhook's URL and the format of what it receives; each chat platform's URL; and, for all of them,
 * their owner's address for notices.
 */
function endpointFields(values: SubscribeFormInput['values'], errors: readonly ErrorDetail[]) {
  const ownerError = errorFor(errors, 'ownerEmail');
  return html`<div data-channel="webhook">
${urlField('webhookUrl', 'Webhook URL', 'https, on port 443 or 8443. We POST a verification event with a confirm link to it first; nothing else is sent until it is confirmed.', values.webhookUrl, errorFor(errors, 'webhookUrl'))}
<fieldset id="format"><legend>What it receives</legend>
${choice({ type: 'radio', name: 'format', id: 'format-v1', value: 'v1', label: 'Versioned JSON events (v1)', checked: (values.format ?? 'v1') !== 'statuspage' })}
${choice({ type: 'radio', name: 'format', id: 'format-statuspage', value: 'statuspage', label: 'Statuspage webhook bodies', hint: 'For tools that already read Statuspage webhooks', checked: values.format === 'statuspage' })}
</fieldset></div>
${CHATS.map(({ type, name, howTo }) => html`<div data-channel="${type}">${urlField(`${type}Url`, `${name} webhook URL`, howTo, values[`${type}Url`], errorFor(errors, `${type}Url`))}</div>`)}
<div data-channel="webhook ${CHATS.map((c) => c.type).join(' ')}"><div class="field${ownerError ? ' field-error' : ''}"><label class="block" for="ownerEmail">Email for notices about this webhook</label>
<span class="hint" id="ownerEmail-hint">Where we send its management link, and a notice if it stops answering.</span>
${errorMessage('ownerEmail', ownerError)}
<input type="email" id="ownerEmail" name="ownerEmail" value="${values.ownerEmail ?? ''}" autocomplete="email" spellcheck="false" aria-describedby="ownerEmail-hint${ownerError ? ' ownerEmail-error' : ''}"></div></div>`;
}

/** The same page whatever the address's state: it never says whether the address was already subscribed. */
/** After a webhook's subscribe: where to find the confirm link. The same whatever the endpoint's state. */
export function checkEndpointPage(input: {
  endpoint: string;
  type: ChannelType;
  page?: PageView;
  embed: boolean;
}): string {
  const chat = CHATS.find((c) => c.type === input.type);
  if (chat)
    return layout({
      title: `Check your ${chat.name} channel`,
      ...(input.page ? { brand: input.page.name } : {}),
      variant: input.embed ? 'embed' : 'page',
      body: html`<h1>Check your ${chat.name} channel</h1>
<div class="notice" role="status"><p>If it can be subscribed, we have posted a message with a Confirm link to <strong>${input.endpoint}</strong>, and mailed its owner.</p></div>
<p>Open the Confirm link in that message within 48 hours and press <strong>Confirm subscription</strong>. Until then the channel gets no updates.</p>
${input.page ? html`<p><a href="${subscribeUrl(input.page.id, input.embed)}">Subscribe something else</a></p>` : ''}`,
    });
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
