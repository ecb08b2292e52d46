import { createHmac } from 'node:crypto';
import type { Incident } from './incident';
import { secretsEqual } from './secrets-equal';

/*
 * A maintenance window as a calendar event: an .ics file (RFC 5545) behind a signed link, and a Google
 * Calendar link that needs nothing of ours. SES bulk mail carries no attachments, so mail links to both.
 */

/** The signature of an incident's calendar link: only links the notifier mailed open. */
export function calendarSignature(serverSecret: string, incidentId: string): string {
  return createHmac('sha256', serverSecret).update(`calendar:${incidentId}`).digest('base64url').slice(0, 32);
}

export function calendarSignatureMatches(
  serverSecret: string,
  incidentId: string,
  signature: string,
): boolean {
  return secretsEqual(signature, calendarSignature(serverSecret, incidentId));
}

export function calendarUrl(baseUrl: string, serverSecret: string, incidentId: string): string {
  const query = new URLSearchParams({
    incident: incidentId,
    sig: calendarSignature(serverSecret, incidentId),
  });
  return `${baseUrl}/v1/calendar?${query}`;
}

export type Window = Pick<Incident, 'incidentId' | 'shortlink' | 'updatedAt'> & {
  scheduledFor: string;
  scheduledUntil: string;
};

/** Whether the incident is a maintenance with a whole window a calendar can hold. */
export function hasWindow(incident: Incident): incident is Incident & Window {
  return Boolean(incident.scheduledFor && incident.scheduledUntil);
}

/** "Add to Google Calendar": the event in the link itself. */
export function googleCalendarUrl(window: Window, title: string, details: string): string {
  const query = new URLSearchParams({
    action: 'TEMPLATE',
    text: title,
    dates: `${basic(window.scheduledFor)}/${basic(window.scheduledUntil)}`,
    details: details.slice(0, 1000),
  });
  return `https://calendar.google.com/calendar/render?${query}`;
}

/** What a calendar says of one window. */
export interface WindowEvent {
  title: string;
  description: string;
  /** Called off: the calendar keeps the event, marked cancelled, so that it leaves people's days. */
  cancelled?: boolean;
}

/**
 * One event for the window. Its UID is the incident's and its SEQUENCE grows with the incident, so a
 * calendar that imports the file again moves the event rather than adding a second one, and a
 * maintenance called off (see calledOff) cancels it.
 */
export function maintenanceCalendar(window: Window, options: WindowEvent & { domain: string }) {
  return calendarOf([windowEvent(window, options, options.domain)]);
}

/**
 * A page's maintenance windows, subscribable: each window one event, with the same UID and SEQUENCE as
 * the mail's file, so that the event a person added from a mail and the calendar's are one.
 */
export function maintenancesCalendar(
  windows: ReadonlyArray<{ window: Window; event: WindowEvent }>,
  options: { name: string; domain: string },
) {
  return calendarOf(
    windows.map(({ window, event }) => windowEvent(window, event, options.domain)),
    options.name,
  );
}

const UTC_ZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:UTC',
  'BEGIN:STANDARD',
  'DTSTART:19700101T000000',
  'TZOFFSETFROM:+0000',
  'TZOFFSETTO:+0000',
  'END:STANDARD',
  'END:VTIMEZONE',
];

function calendarOf(events: ReadonlyArray<string[]>, name?: string): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//status-notifier//maintenance//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    ...(name ? [`X-WR-CALNAME:${text(name)}`, 'REFRESH-INTERVAL;VALUE=DURATION:PT1H'] : []),
    // A calendar holds at least one component (RFC 5545): with no window, UTC's zone stands in.
    ...(events.length > 0 ? events.flat() : UTC_ZONE),
    'END:VCALENDAR',
  ];
  return `${lines.map(fold).join('\r\n')}\r\n`;
}

function windowEvent(window: Window, event: WindowEvent, domain: string): string[] {
  return [
    'BEGIN:VEVENT',
    `UID:${text(window.incidentId.replace(/[^\w.:-]/g, '-'))}@${text(domain)}`,
    `SEQUENCE:${Math.floor(new Date(window.updatedAt).getTime() / 1000) % 2_000_000_000}`,
    `DTSTAMP:${basic(window.updatedAt)}`,
    `DTSTART:${basic(window.scheduledFor)}`,
    `DTEND:${basic(window.scheduledUntil)}`,
    `SUMMARY:${text(event.title)}`,
    `DESCRIPTION:${text(event.description)}`,
    ...(window.shortlink && /^https?:\/\//.test(window.shortlink) ? [`URL:${text(window.shortlink)}`] : []),
    ...(event.cancelled ? ['STATUS:CANCELLED'] : []),
    'TRANSP:TRANSPARENT',
    'END:VEVENT',
  ];
}

/** UTC in iCalendar's basic form: 20261124T100000Z. */
function basic(iso: string): string {
  return new Date(iso)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** A TEXT value: backslash, semicolon, comma and line breaks escaped; no other control characters. */
function text(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/\p{Cc}/gu, ' ');
}

/** Lines of at most 75 octets, continued with a space, cut on whole characters. */
function fold(line: string): string {
  const parts: string[] = [];
  let current = '';
  for (const char of line) {
    if (Buffer.byteLength(current + char) > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = '';
    }
    current += char;
  }
  parts.push(current);
  return parts.join('\r\n ');
}
