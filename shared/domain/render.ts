import { chronological, type Incident, type IncidentUpdate } from './incident';

/** One rendered notification, shared by every recipient; the footer is each recipient's own. */
export interface MailContent {
  subject: string;
  htmlBefore: string;
  htmlAfter: string;
  text: string;
}

/** A mail to one recipient, rendered whole. */
export interface SingleMail {
  subject: string;
  html: string;
  text: string;
}

export interface RecipientFooter {
  html: string;
  text: string;
}

export interface NotificationInput {
  incident: Incident;
  /** The update this mail is about. */
  update: IncidentUpdate;
  /** Every stored update of the incident; the ones up to `update` form the timeline. */
  updates: readonly IncidentUpdate[];
  /** Names for the incident's components, grouped by region ("Prod1 (US)": ["Channel - Chat"]). */
  affected: ReadonlyArray<{ region?: string; components: string[] }>;
  pageName?: string;
}

const STATUS_LABELS: Record<string, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  postmortem: 'Postmortem',
  update: 'Update',
  scheduled: 'Scheduled maintenance',
  in_progress: 'Maintenance in progress',
  verifying: 'Verifying',
  completed: 'Maintenance completed',
};

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status.replace(/[_-]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Only http(s) links from a webhook become links; anything else (javascript:, data:) is dropped. */
export function safeHttpUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

export function renderNotification(input: NotificationInput): MailContent {
  const { incident, update } = input;
  const timeline = chronological(input.updates)
    .filter((u) => u.displayAt <= update.displayAt && u.updateId !== update.updateId)
    .reverse();
  const state = statusLabel(update.status);
  const link = safeHttpUrl(incident.shortlink);
  const affectedLines = input.affected.map((a) =>
    a.region ? `${a.region}: ${a.components.join(', ')}` : a.components.join(', '),
  );
  const heading = input.pageName ? `${input.pageName}: ${incident.name}` : incident.name;

  const text = [
    heading,
    `${state} · impact: ${incident.impact}`,
    affectedLines.length ? `Affected: ${affectedLines.join('; ')}` : undefined,
    '',
    `${state} (${utc(update.displayAt)})`,
    update.body,
    ...timeline.flatMap((u) => ['', `${statusLabel(u.status)} (${utc(u.displayAt)})`, u.body]),
    link ? `\nFollow the incident: ${link}` : undefined,
  ]
    .filter((line) => line !== undefined)
    .join('\n');

  const htmlBefore = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(incident.name)}</title></head>`,
    '<body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:640px;margin:0 auto;padding:16px">',
    `<h1 style="font-size:20px">${escapeHtml(heading)}</h1>`,
    `<p><strong>${escapeHtml(state)}</strong> · impact: ${escapeHtml(incident.impact)}</p>`,
    affectedLines.length ? `<p>Affected: ${escapeHtml(affectedLines.join('; '))}</p>` : '',
    updateHtml(update),
    ...timeline.map(updateHtml),
    link ? `<p><a href="${escapeHtml(link)}">Follow the incident</a></p>` : '',
  ].join('\n');

  return { subject: incident.subject, htmlBefore, htmlAfter: '</body></html>', text };
}

export function renderFooter(links: { unsubscribeUrl: string; preferencesUrl: string }): RecipientFooter {
  const { unsubscribeUrl, preferencesUrl } = links;
  return {
    html: `<hr><p style="font-size:12px;color:#555">You receive this because you subscribed to these updates. <a href="${escapeHtml(preferencesUrl)}">Manage preferences</a> · <a href="${escapeHtml(unsubscribeUrl)}">Unsubscribe</a></p>`,
    text: `\n--\nYou receive this because you subscribed to these updates.\nManage preferences: ${preferencesUrl}\nUnsubscribe: ${unsubscribeUrl}\n`,
  };
}

function updateHtml(update: IncidentUpdate): string {
  const paragraphs = update.body
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
  return `<section><h2 style="font-size:16px">${escapeHtml(statusLabel(update.status))} <small>${escapeHtml(utc(update.displayAt))}</small></h2>${paragraphs}</section>`;
}

function utc(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}
