import type { SingleMail } from '../domain/render';
import { html, type SafeHtml } from './html';

/*
 * Mails about the subscription itself: confirmation and "already subscribed". The pages behind their
 * links are in pages/.
 */

/** What a subscription covers, in words: "Channel - Chat in Prod1 (US) (Kustomer)". */
export type TopicLabel = string;

const STYLE = html`<style>body{font-family:system-ui,sans-serif;line-height:1.5;max-width:560px;margin:0 auto;padding:24px;color:#1a1a1a;background:#fff}button,.button{font:inherit;padding:10px 18px;border:0;border-radius:6px;background:#1f5fbf;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}@media (prefers-color-scheme:dark){body{background:#121212;color:#eee}}</style>`;

const page = (title: string, body: SafeHtml) =>
  html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>${STYLE}</head><body><h1 style="font-size:22px">${title}</h1>${body}</body></html>`
    .value;

const list = (labels: readonly TopicLabel[]) =>
  html`<ul>${labels.map((label) => html`<li>${label}</li>`)}</ul>`;
const button = (href: string, label: string) => html`<p><a class="button" href="${href}">${label}</a></p>`;

/** Double opt-in: the link opens a page with a button; nothing is confirmed by merely fetching it. */
export function confirmationMail(input: { confirmUrl: string; topics: readonly TopicLabel[] }): SingleMail {
  const subject = 'Confirm your status update subscription';
  const intro = 'Someone, hopefully you, asked to receive status updates at this address for:';
  const ignore = 'If this was not you, ignore this mail: nothing will be sent without confirmation.';
  return {
    subject,
    html: page(
      subject,
      html`<p>${intro}</p>${list(input.topics)}${button(input.confirmUrl, 'Confirm subscription')}<p style="font-size:13px;color:#555">${ignore}</p>`,
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
    html: page(subject, html`<p>${intro}</p>${button(input.preferencesUrl, 'Manage your subscription')}`),
    text: `${intro}\n\nManage your subscription: ${input.preferencesUrl}\n`,
  };
}
