import type { Incident, IncidentUpdate } from './incident';

/** A maintenance window's line, in one time zone (both parts empty for a mail without a window). */
export interface MailWindow {
  html: string;
  text: string;
}

/**
 * One rendered notification, shared by every recipient; the window line and the footer may be each
 * recipient's own. A mail is head, window, before, footer, after (`wholeMail`).
 */
export interface MailContent {
  subject: string;
  htmlHead: string;
  htmlBefore: string;
  htmlAfter: string;
  textHead: string;
  text: string;
  /** The window in UTC and the status page's time zone: for recipients without a zone of their own. */
  window: MailWindow;
}

/** A notification as one recipient reads it. */
export function wholeMail(
  content: MailContent,
  footer: RecipientFooter = { html: '', text: '' },
  window: MailWindow = content.window,
): { html: string; text: string } {
  return {
    html: content.htmlHead + window.html + content.htmlBefore + footer.html + content.htmlAfter,
    text: content.textHead + window.text + content.text + footer.text,
  };
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
  /** The page's time zone (catalog), for local times beside UTC. */
  timeZone?: string;
  /** A maintenance to come: its window as an .ics download and as a Google Calendar link. */
  calendar?: { icsUrl: string; googleUrl: string };
}
