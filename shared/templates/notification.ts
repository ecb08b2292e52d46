import { chronological, type IncidentUpdate, mailSubject } from '../domain/incident';
import type { MailContent, MailWindow, NotificationInput, RecipientFooter } from '../domain/render';
import { html, type SafeHtml, safeHttpUrl } from './html';
import { markdownishToHtml, markdownishToText } from './markdownish';

/*
 * The incident notification. Layout in tables with inline styles (what mail clients keep), light and
 * dark schemes, real text only (no images), and colour never the only signal: every badge says its state.
 */

const STATUS: Record<string, { label: string; colour: string }> = {
  investigating: { label: 'Investigating', colour: '#b91c1c' },
  identified: { label: 'Identified', colour: '#c2410c' },
  monitoring: { label: 'Monitoring', colour: '#1d4ed8' },
  resolved: { label: 'Resolved', colour: '#15803d' },
  postmortem: { label: 'Postmortem', colour: '#4b5563' },
  update: { label: 'Update', colour: '#4b5563' },
  scheduled: { label: 'Scheduled maintenance', colour: '#1d4ed8' },
  in_progress: { label: 'Maintenance in progress', colour: '#1d4ed8' },
  verifying: { label: 'Verifying', colour: '#1d4ed8' },
  completed: { label: 'Maintenance completed', colour: '#15803d' },
  reminder: { label: 'Maintenance reminder', colour: '#1d4ed8' },
};
const IMPACT: Record<string, { label: string; colour: string }> = {
  none: { label: 'No impact', colour: '#4b5563' },
  minor: { label: 'Minor impact', colour: '#92400e' },
  major: { label: 'Major impact', colour: '#c2410c' },
  critical: { label: 'Critical impact', colour: '#b91c1c' },
  maintenance: { label: 'Maintenance', colour: '#1d4ed8' },
};

/** A table's own entry: a webhook's "constructor" or "toString" must not find Object.prototype's. */
const entry = <T>(table: Record<string, T>, key: string): T | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

export function statusLabel(status: string): string {
  return entry(STATUS, status)?.label ?? status.replace(/[_-]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}

const badge = (text: string, colour: string) =>
  html`<span style="display:inline-block;padding:2px 10px;border-radius:12px;background:${colour};color:#ffffff;font-size:13px;font-weight:600">${text}</span>`;

/** "14:29 UTC (10:29 EDT)": UTC always, the page's own time zone when the catalog knows it. */
export function formatTime(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  const utc = `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  if (!timeZone || timeZone === 'UTC') return utc;
  try {
    const local = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    }).format(date);
    return `${utc} (${local})`;
  } catch {
    return utc; // an unknown zone name from the catalog: UTC alone is still right
  }
}

export function renderNotification(input: NotificationInput): MailContent {
  const { incident, update } = input;
  const earlier = chronological(input.updates)
    .filter((u) => u.updateId !== update.updateId && u.displayAt <= update.displayAt)
    .reverse();
  const status = entry(STATUS, update.status) ?? { label: statusLabel(update.status), colour: '#4b5563' };
  const impact = entry(IMPACT, incident.impact) ?? { label: `${incident.impact} impact`, colour: '#4b5563' };
  const link = safeHttpUrl(incident.shortlink);
  const when = (u: IncidentUpdate) => formatTime(u.displayAt, input.timeZone);
  const source = input.pageName ?? 'Status update';
  const calendar = input.calendar
    ? { googleUrl: safeHttpUrl(input.calendar.googleUrl), icsUrl: safeHttpUrl(input.calendar.icsUrl) }
    : undefined;

  const htmlHead = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">
<title>${incident.name}</title>
<style>
@media (prefers-color-scheme: dark) {
  .page { background:#111827 !important; }
  .card { background:#1f2937 !important; color:#f3f4f6 !important; }
  .muted { color:#d1d5db !important; }
  .rule { border-color:#374151 !important; }
  .link { color:#93c5fd !important; }
}
@media (max-width: 620px) { .card { padding:16px !important; } }
</style></head>
<body class="page" style="margin:0;padding:0;background:#f3f4f6">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" class="page" style="background:#f3f4f6"><tr><td align="center" style="padding:16px 8px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" class="card" style="max-width:600px;background:#ffffff;color:#111827;border-radius:8px;padding:24px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.55">
<tr><td>
<p class="muted" style="margin:0 0 8px;color:#4b5563;font-size:13px">${source}</p>
<h1 style="margin:0 0 12px;font-size:21px;line-height:1.3">${incident.name}</h1>
<p style="margin:0 0 16px">${badge(status.label, status.colour)} ${badge(impact.label, impact.colour)}</p>
`;
  const htmlBefore = html`${calendar ? html`<p style="margin:0 0 16px"><a class="link" href="${calendar.googleUrl}" style="color:#1d4ed8;font-weight:600">Add to Google Calendar</a> · <a class="link" href="${calendar.icsUrl}" style="color:#1d4ed8;font-weight:600">Download for other calendars (.ics)</a></p>` : ''}
${
  input.affected.length
    ? html`<p style="margin:0 0 4px"><strong>Affected</strong></p><ul style="margin:0 0 16px;padding-left:20px">${input.affected.map(
        (group) =>
          html`<li>${group.region ? html`${group.region}: ` : ''}${group.components.join(', ')}</li>`,
      )}</ul>`
    : ''
}
<h2 style="margin:20px 0 4px;font-size:17px">${status.label} <span class="muted" style="font-weight:400;color:#4b5563;font-size:13px">${when(update)}</span></h2>
${markdownishToHtml(update.body)}
${link ? html`<p style="margin:20px 0"><a href="${link}" style="display:inline-block;padding:10px 18px;border-radius:6px;background:#1d4ed8;color:#ffffff;text-decoration:none;font-weight:600">View the incident page</a></p>` : ''}
${earlier.length ? html`<h2 class="rule" style="margin:24px 0 8px;padding-top:16px;border-top:1px solid #e5e7eb;font-size:15px">Earlier updates</h2>${earlier.map(timelineEntry(when))}` : ''}`;

  const textHead = `${[source, incident.name, `${status.label} · ${impact.label}`].join('\n')}\n`;
  const text = [
    calendar?.googleUrl ? `Add to Google Calendar: ${calendar.googleUrl}` : undefined,
    calendar?.icsUrl ? `Add to other calendars (.ics): ${calendar.icsUrl}` : undefined,
    input.affected.length
      ? `Affected: ${input.affected.map((g) => (g.region ? `${g.region}: ${g.components.join(', ')}` : g.components.join(', '))).join('; ')}`
      : undefined,
    '',
    `${status.label} (${when(update)})`,
    markdownishToText(update.body),
    link ? `\nView the incident page: ${link}` : undefined,
    ...(earlier.length
      ? [
          '',
          'Earlier updates',
          ...earlier.flatMap((u) => ['', `${statusLabel(u.status)} (${when(u)})`, markdownishToText(u.body)]),
        ]
      : []),
  ]
    .filter((line) => line !== undefined)
    .join('\n');

  return {
    subject: mailSubject(incident.subject, input.pageName),
    htmlHead: htmlHead.value,
    htmlBefore: htmlBefore.value,
    textHead,
    window: windowLine(incident, input.timeZone),
    htmlAfter: '</td></tr></table></td></tr></table></body></html>',
    text,
  };
}

/**
 * A maintenance's window, in UTC and one time zone (the recipient's, else the page's): its own part of
 * the mail, so each recipient can read it in theirs. Empty without a whole window.
 */
export function windowLine(
  incident: Pick<NotificationInput['incident'], 'scheduledFor' | 'scheduledUntil'>,
  timeZone?: string,
): MailWindow {
  if (!incident.scheduledFor || !incident.scheduledUntil) return { html: '', text: '' };
  const window = `${formatTime(incident.scheduledFor, timeZone)} to ${formatTime(incident.scheduledUntil, timeZone)}`;
  return {
    html: html`<p style="margin:0 0 12px"><strong>Maintenance window:</strong> ${window}</p>\n`.value,
    text: `Maintenance window: ${window}\n`,
  };
}

function timelineEntry(when: (u: IncidentUpdate) => string) {
  return (u: IncidentUpdate): SafeHtml =>
    html`<p style="margin:12px 0 2px"><strong>${statusLabel(u.status)}</strong> <span class="muted" style="color:#4b5563;font-size:13px">${when(u)}</span></p>${markdownishToHtml(u.body)}`;
}

/** Each recipient's own part: why they get this mail, and their links to manage or leave. */
export function renderFooter(input: {
  reason?: string;
  unsubscribeUrl: string;
  preferencesUrl: string;
}): RecipientFooter {
  const why = input.reason
    ? `You receive this because you follow ${input.reason}.`
    : 'You receive this because you subscribed to these updates.';
  return {
    html: html`<p class="muted rule" style="margin:24px 0 0;padding-top:16px;border-top:1px solid #e5e7eb;color:#4b5563;font-size:13px">${why}<br><a href="${input.preferencesUrl}" style="color:inherit">Manage preferences</a> · <a href="${input.unsubscribeUrl}" style="color:inherit">Unsubscribe</a></p>`
      .value,
    text: `\n--\n${why}\nManage preferences: ${input.preferencesUrl}\nUnsubscribe: ${input.unsubscribeUrl}\n`,
  };
}
