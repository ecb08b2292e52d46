import { type Incident, type IncidentUpdate, isClosingStatus } from './incident';
import * as z from './zod';

/**
 * How much a subscriber wants to hear: every update; only when an incident starts and when it is
 * resolved (or its postmortem is out); or only incidents of major or critical impact.
 */
export const NotificationLevel = z.enum(['all', 'lifecycle', 'major']);
export type NotificationLevel = z.infer<typeof NotificationLevel>;

const MAJOR_IMPACTS = new Set(['major', 'critical']);

/** Whether an update reaches a subscriber at this level; `isFirst` when it is the incident's first update. */
export function levelWants(
  level: NotificationLevel,
  incident: Pick<Incident, 'impact'>,
  update: Pick<IncidentUpdate, 'status'>,
  isFirst: boolean,
): boolean {
  switch (level) {
    case 'all':
      return true;
    case 'lifecycle':
      return isFirst || isClosingStatus(update.status);
    case 'major':
      return MAJOR_IMPACTS.has(incident.impact);
  }
}
