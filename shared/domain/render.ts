import type { Incident, IncidentUpdate } from './incident';

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
  /** The page's time zone (catalog), for local times beside UTC. */
  timeZone?: string;
  /** A maintenance to come: its window as an .ics download and as a Google Calendar link. */
  calendar?: { icsUrl: string; googleUrl: string };
}
