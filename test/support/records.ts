import { randomUUID } from 'node:crypto';
import type { Incident, IncidentUpdate } from '../../shared/domain/incident';
import type { SubscriberRecord } from '../../shared/domain/subscriber';

/** A stored subscriber for store-level tests; override what the test is about. */
export function subscriberRecord(
  overrides: Partial<SubscriberRecord> & Pick<SubscriberRecord, 'email'>,
): SubscriberRecord {
  return {
    id: randomUUID(),
    status: 'confirmed',
    level: 'all',
    topics: [],
    createdAt: new Date().toISOString(),
    linkNonce: 'nonce-for-tests',
    version: 0,
    ...overrides,
  };
}

/** A stored incident for rendering tests; override what the test is about. */
export function incidentRecord(overrides: Partial<Incident> = {}): Incident {
  return {
    incidentId: 'statuspage:page:inc1',
    source: 'statuspage',
    upstreamId: 'inc1',
    pageId: 'page',
    name: 'Chat messages may fail to deliver',
    status: 'identified',
    impact: 'major',
    componentIds: [],
    subject: 'Chat messages may fail to deliver',
    createdAt: '2025-08-06T14:14:00.000Z',
    updatedAt: '2025-08-06T14:29:00.000Z',
    ...overrides,
  };
}

/** One notifying update of `incident`. */
export function incidentUpdate(
  incident: Pick<Incident, 'incidentId'>,
  updateId: string,
  status: string,
  displayAt: string,
  body: string,
): IncidentUpdate {
  return {
    incidentId: incident.incidentId,
    updateId,
    kind: 'update',
    status,
    body,
    displayAt,
    affectedComponentIds: [],
    notify: true,
  };
}
