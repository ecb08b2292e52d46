import { escapeHtml, type SingleMail } from './render';

/** What a subscription covers, in words: "Channel - Chat in Prod1 (US) (Kustomer)". */
export type TopicLabel = string;

const wrap = (title: string, body: string) =>
  [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;line-height:1.5;max-width:560px;margin:0 auto;padding:24px;color:#1a1a1a;background:#fff}',
    'button,.button{font:inherit;padding:10px 18px;border:0;border-radius:6px;background:#1f5fbf;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}',
    '@media (prefers-color-scheme:dark){body{background:#121212;color:#eee}}</style></head>',
    `<body><h1 style="font-size:22px">${escapeHtml(title)}</h1>${body}</body></html>`,
  ].join('');

const list = (labels: readonly TopicLabel[]) =>
  `<ul>${labels.map((label) => `<li>${escapeHtml(label)}</li>`).join('')}</ul>`;

/** Double opt-in: the link opens a page with a button; nothing is confirmed by merely fetching it. */
export function confirmationMail(input: { confirmUrl: string; topics: readonly TopicLabel[] }): SingleMail {
  const subject = 'Confirm your status update subscription';
  return {
    subject,
    html: wrap(
      subject,
      `<p>Someone, hopefully you, asked to receive status updates at this address for:</p>${list(input.topics)}` +
        `<p><a class="button" href="${escapeHtml(input.confirmUrl)}">Confirm subscription</a></p>` +
        '<p style="font-size:13px;color:#555">If this was not you, ignore this mail: nothing will be sent without confirmation.</p>',
    ),
    text: [
      'Someone, hopefully you, asked to receive status updates at this address for:',
      ...input.topics.map((t) => `  - ${t}`),
      '',
      `Confirm: ${input.confirmUrl}`,
      '',
      'If this was not you, ignore this mail: nothing will be sent without confirmation.',
    ].join('\n'),
  };
}

/** Sent instead of a confirmation when the address is already subscribed: the answer to the request is the same. */
export function alreadySubscribedMail(input: { preferencesUrl: string }): SingleMail {
  const subject = 'You are already subscribed to status updates';
  return {
    subject,
    html: wrap(
      subject,
      '<p>Someone asked to subscribe this address, which already receives status updates.</p>' +
        `<p><a class="button" href="${escapeHtml(input.preferencesUrl)}">Manage your subscription</a></p>`,
    ),
    text: `Someone asked to subscribe this address, which already receives status updates.\n\nManage your subscription: ${input.preferencesUrl}\n`,
  };
}

/** A page with a single button that POSTs back to the same URL: mail scanners follow links, they do not press buttons. */
export function actionPage(input: {
  title: string;
  message: string;
  action: string;
  button: string;
}): string {
  return wrap(
    input.title,
    `<p>${escapeHtml(input.message)}</p>` +
      `<form method="post" action="${escapeHtml(input.action)}"><button type="submit">${escapeHtml(input.button)}</button></form>`,
  );
}

export function messagePage(title: string, message: string, link?: { href: string; label: string }): string {
  const action = link
    ? `<p><a class="button" href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>`
    : '';
  return wrap(title, `<p>${escapeHtml(message)}</p>${action}`);
}

/** The preferences page for a person: what they follow, how often, and a way out. */
export function preferencesPage(input: {
  email: string;
  status: string;
  level: string;
  topics: readonly TopicLabel[];
  unsubscribeAction: string;
}): string {
  const levels: Record<string, string> = {
    all: 'every update',
    lifecycle: 'when an incident starts and when it is resolved',
    major: 'major and critical incidents only',
  };
  return wrap(
    'Your status update subscription',
    `<p>${escapeHtml(input.email)} (${escapeHtml(input.status)}) hears about ${escapeHtml(levels[input.level] ?? input.level)} for:</p>` +
      list(input.topics) +
      '<p style="font-size:13px;color:#555">To change topics or frequency, use the JSON API at this same address (PUT).</p>' +
      `<form method="post" action="${escapeHtml(input.unsubscribeAction)}"><button type="submit">Unsubscribe from all</button></form>`,
  );
}

/** `a***@example.com`: enough for a person to recognise their address, not enough to harvest it. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}
