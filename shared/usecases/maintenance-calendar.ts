import { calendarSignatureMatches, hasWindow, maintenanceCalendar } from '../domain/calendar';
import { calledOff } from '../domain/feeds';
import { chronological, mailSubject } from '../domain/incident';
import { AppError } from '../errors';
import type { Catalog, Incidents } from '../ports';

/**
 * The .ics file of a maintenance a mail linked to: only with the link's signature (incidents are not
 * public here), only while the incident has a whole window. Its description is the latest update.
 */
export async function maintenanceCalendarFile(
  deps: {
    incidents: Pick<Incidents, 'get'>;
    catalog: Pick<Catalog, 'getPage'>;
    config: { linkSigningSecret: string; domain: string };
  },
  request: { incident: string; sig: string },
): Promise<string> {
  const notFound = new AppError('NOT_FOUND', 'This calendar link is not valid, or the maintenance is gone.', [
    { path: 'incident', message: 'no maintenance for this link' },
  ]);
  if (!calendarSignatureMatches(deps.config.linkSigningSecret, request.incident, request.sig)) throw notFound;
  const stored = await deps.incidents.get(request.incident);
  if (!stored || !hasWindow(stored.incident)) throw notFound;
  const { incident } = stored;
  const page = await deps.catalog.getPage(incident.pageId);
  const latest = chronological(stored.updates).at(-1);
  const description = [latest?.body, incident.shortlink].filter(Boolean).join('\n\n');
  return maintenanceCalendar(incident, {
    title: mailSubject(incident.subject, page.page?.name),
    description,
    cancelled: calledOff(incident),
    domain: deps.config.domain,
  });
}
