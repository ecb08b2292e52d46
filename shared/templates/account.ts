import type { SingleMail } from '../domain/render';
import { html, type SafeHtml } from './html';
import { capitalized } from './text';

/*
 * Mails about the subscription itself: confirmation and "already subscribed". The pages behind their
 * links are in pages/.
 */

/** What a subscription covers, in words: "Channel - Chat in Prod1 (US) (Kustomer)". */
export type TopicLabel = string;

// The notification's card, palette and dark scheme (notification.ts), in inline styles as mail clients keep them.
const page = (title: string, body: SafeHtml) =>
  html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark"><title>${title}</title>
<style>@media (prefers-color-scheme: dark) { .page { background:#111827 !important; } .card { background:#1f2937 !important; color:#f3f4f6 !important; } .muted { color:#d1d5db !important; } }</style></head>
<body class="page" style="margin:0;padding:0;background:#f3f4f6">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" class="page" style="background:#f3f4f6"><tr><td align="center" style="padding:16px 8px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" class="card" style="max-width:600px;background:#ffffff;color:#111827;border-radius:8px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.55"><tr><td style="padding:24px">
<h1 style="margin:0 0 12px;font-size:21px;line-height:1.3">${title}</h1>${body}
</td></tr></table></td></tr></table></body></html>`.value;

const list = (labels: readonly TopicLabel[]) =>
  html`<ul style="margin:0 0 16px;padding-left:20px">${labels.map((label) => html`<li>${capitalized(label)}</li>`)}</ul>`;
const button = (href: string, label: string) =>
  html`<p style="margin:20px 0"><a href="${href}" style="display:inline-block;padding:10px 18px;border-radius:6px;background:#1d4ed8;color:#ffffff;text-decoration:none;font-weight:600">${label}</a></p>`;
const small = (text: string) =>
  html`<p class="muted" style="margin:0;color:#4b5563;font-size:13px">${text}</p>`;

/** Double opt-in: the link opens a page with a button; nothing is confirmed by merely fetching it. */
export function confirmationMail(input: { confirmUrl: string; topics: readonly TopicLabel[] }): SingleMail {
  const subject = 'Confirm your status update subscription';
  const intro = 'Someone, hopefully you, asked to receive status updates at this address for:';
  const ignore = 'If this was not you, ignore this mail: nothing will be sent without confirmation.';
  return {
    subject,
    html: page(
      subject,
      html`<p style="margin:0 0 8px">${intro}</p>${list(input.topics)}${button(input.confirmUrl, 'Confirm subscription')}${small(`The link works for 48 hours. ${ignore}`)}`,
    ),
    text: [
      intro,
      ...input.topics.map((t) => `  - ${t}`),
      '',
      `Confirm: ${input.confirmUrl}`,
      '',
      ignore,
    ].join('\n'),
  };
}

/** Sent instead of a confirmation when the address is already subscribed: the answer to the request is the same. */
export function alreadySubscribedMail(input: { preferencesUrl: string }): SingleMail {
  const subject = 'You are already subscribed to status updates';
  const intro = 'Someone asked to subscribe this address, which already receives status updates.';
  return {
    subject,
    html: page(
      subject,
      html`<p style="margin:0 0 8px">${intro}</p>${button(input.preferencesUrl, 'Manage your subscription')}${small('If this was not you, ignore this mail: nothing changes.')}`,
    ),
    text: `${intro}\n\nManage your subscription: ${input.preferencesUrl}\n`,
  };
}

/** A mail to a webhook's owner: two paragraphs, its management link, and a small print if any. */
function endpointMail(input: {
  subject: string;
  paragraphs: readonly [string, string];
  preferencesUrl: string;
  note?: string;
}): SingleMail {
  const [first, second] = input.paragraphs;
  return {
    subject: input.subject,
    html: page(
      input.subject,
      html`<p style="margin:0 0 8px">${first}</p><p style="margin:0 0 8px">${second}</p>${button(input.preferencesUrl, 'Manage this webhook')}${input.note ? small(input.note) : ''}`,
    ),
    text: [
      first,
      '',
      second,
      '',
      `Manage it: ${input.preferencesUrl}`,
      ...(input.note ? ['', input.note] : []),
    ].join('\n'),
  };
}

/** To a webhook's owner, once, when it stops getting updates: why, and where to resume it. */
export const endpointQuarantinedMail = (input: {
  endpoint: string;
  reason: string;
  preferencesUrl: string;
}) =>
  endpointMail({
    subject: 'Your status webhook was paused',
    paragraphs: [
      `We stopped sending status updates to ${input.endpoint}: ${input.reason}.`,
      'Updates meanwhile are recorded as skipped. Once the endpoint answers again, resume it from its page.',
    ],
    preferencesUrl: input.preferencesUrl,
  });

/**
 * To the owner of a webhook asked for: where it goes, that it starts once confirmed from the
 * verification event POSTed to it (which proves control of the endpoint), and its management link.
 */
export const endpointRegisteredMail = (input: {
  endpoint: string;
  preferencesUrl: string;
  /** A chat platform's name: the confirm link is in a message in its channel. */
  platform?: string;
}) =>
  endpointMail({
    subject: input.platform
      ? `Confirm your ${input.platform} status updates from the message in the channel`
      : 'Confirm your status webhook from its verification event',
    paragraphs: [
      `Someone, hopefully you, asked to send status updates to ${input.endpoint}, naming this address as its owner.`,
      input.platform
        ? `We posted a message with a Confirm link in that ${input.platform} channel: open it to start the updates. Nothing else is sent before that.`
        : 'We POSTed a verification event to it: open the confirm_url it carries to start the updates and see its signing secret. Nothing else is sent before that.',
    ],
    preferencesUrl: input.preferencesUrl,
    note: 'If this was not you, ignore this mail, or unsubscribe the webhook from its page.',
  });

/** To a webhook's owner, when support sets one up: where it goes, and its management link. */
export const endpointAddedMail = (input: { endpoint: string; preferencesUrl: string }) =>
  endpointMail({
    subject: 'A status webhook was set up for you',
    paragraphs: [
      `Our support team set up status updates to ${input.endpoint}, naming this address as its owner.`,
      'Its page shows how it fares, sends a test event, rotates its signing secret, or stops it.',
    ],
    preferencesUrl: input.preferencesUrl,
  });
