import { describe, expect, it } from 'vitest';
import { planIncidentIngest } from '../../shared/domain/ingest-plan';
import type { StatuspageIncidentWebhook } from '../../shared/domain/statuspage';
import { BetterStackWebhook } from '../../shared/domain/vendors/betterstack';
import { InstatusWebhook } from '../../shared/domain/vendors/instatus';
import betterStackComponent from '../fixtures/betterstack/component.json';
import betterStackIncident from '../fixtures/betterstack/incident.json';
import betterStackMaintenance from '../fixtures/betterstack/maintenance.json';
import instatusComponent from '../fixtures/instatus/component.json';
import instatusIncident from '../fixtures/instatus/incident.json';
import instatusMaintenance from '../fixtures/instatus/maintenance.json';
import instatusRealComponent from '../fixtures/instatus/real-component.json';
import instatusRealIncident from '../fixtures/instatus/real-incident.json';
import instatusRealMaintenance from '../fixtures/instatus/real-maintenance.json';

const incidentOf = (parsed: { kind: string }) => {
  expect(parsed.kind).toBe('incident');
  return parsed as StatuspageIncidentWebhook & { kind: 'incident' };
};
const clone = <T>(value: T): any => structuredClone(value);

describe('Instatus webhooks', () => {
  it('map an incident onto the ingest: statuses and impact in Statuspage words, the page link kept', () => {
    const plan = planIncidentIngest(incidentOf(InstatusWebhook.parse(instatusIncident)), 'instatus');
    expect(plan.incident).toMatchObject({
      incidentId: 'instatus:ckl0pyx9d000101l6a5b0y2nd:ckl0q4n2r000601l6f8t3b7hx',
      source: 'instatus',
      status: 'identified',
      impact: 'major',
      shortlink: 'https://status.example.com/incident/ckl0q4n2r000601l6f8t3b7hx',
      subject: 'Chat messages may fail to deliver',
      componentIds: [],
    });
    expect(plan.updates.map((u) => [u.status, u.notify])).toEqual([
      ['investigating', false],
      ['identified', true],
    ]);
  });

  it('map a maintenance, named as one, in its phase', () => {
    const plan = planIncidentIngest(incidentOf(InstatusWebhook.parse(instatusMaintenance)), 'instatus');
    expect(plan.incident).toMatchObject({
      status: 'scheduled',
      impact: 'maintenance',
      subject: 'Scheduled maintenance: Database upgrade',
    });
    expect(plan.updates.map((u) => u.status)).toEqual(['scheduled']);
  });

  it('map a component change onto the catalog, and ignore fields they add', () => {
    const payload = { ...clone(instatusComponent), flavour: { of: 'the month' } };
    expect(InstatusWebhook.parse(payload)).toMatchObject({
      kind: 'component',
      component: { id: 'ckl0pz3m7000201l6e4w8s6kt', name: 'Chat', status: 'partial_outage' },
      component_update: { new_status: 'partial_outage' },
    });
  });

  it('refuse what cannot be an incident, naming Instatus’s own fields', () => {
    const payload = clone(instatusMaintenance);
    payload.maintenance.maintenance_updates[0].created_at = 'soon';
    const result = InstatusWebhook.safeParse(payload);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual([
      'maintenance.maintenance_updates.0.created_at',
    ]);
    expect(InstatusWebhook.safeParse({ hello: 'world' }).error?.issues[0]?.message).toMatch(
      /expected an incident webhook/,
    );
  });
});

describe('Instatus webhooks as they really come', () => {
  const chat = instatusRealIncident.incident.affected_components[0]!.id;

  it('read Title-case statuses, the text in markdown, and the affected components that decide the audience', () => {
    const plan = planIncidentIngest(incidentOf(InstatusWebhook.parse(instatusRealIncident)), 'instatus');
    expect(plan.incident).toMatchObject({
      status: 'resolved',
      impact: 'major', // no impact given: the worst affected component's ("Major outage")
      componentIds: [chat],
      shortlink: instatusRealIncident.incident.url,
    });
    expect(plan.updates.map((u) => [u.status, u.notify])).toEqual([
      ['investigating', false],
      ['identified', false],
      ['monitoring', false],
      ['resolved', true],
    ]);
    expect(plan.updates.every((u) => u.affectedComponentIds.includes(chat))).toBe(true);
    expect(plan.updates[0]?.body).toContain('[Kustomer Support](https://support.kustomer.example/contact)');
  });

  it('read any spelling of a status, and an unknown word as a plain update, never a refusal', () => {
    const payload = clone(instatusRealIncident);
    const spellings = ['INVESTIGATING', 'identified', ' Monitoring ', 'Something New'];
    payload.incident.incident_updates.reverse().forEach((u: any, i: number) => {
      u.status = spellings[i];
    });
    payload.incident.status = 'Brand new word';
    const parsed = incidentOf(InstatusWebhook.parse(payload));
    expect(parsed.incident.incident_updates.map((u) => u.status)).toEqual([
      'investigating',
      'identified',
      'monitoring',
      'update',
    ]);
    expect(parsed.incident.status).toBe('update');
  });

  it('read an incident with no affected components as the whole page’s', () => {
    const payload = clone(instatusRealIncident);
    payload.incident.affected_components = [];
    const plan = planIncidentIngest(incidentOf(InstatusWebhook.parse(payload)), 'instatus');
    expect(plan.incident).toMatchObject({ componentIds: [], impact: 'none' });
  });

  it('read a planned maintenance: its window from the start and end dates, its updates in its phase', () => {
    const plan = planIncidentIngest(incidentOf(InstatusWebhook.parse(instatusRealMaintenance)), 'instatus');
    expect(plan.incident).toMatchObject({
      status: 'scheduled',
      impact: 'maintenance',
      scheduledFor: '2025-09-02T22:00:00.000Z',
      scheduledUntil: '2025-09-03T00:00:00.000Z',
      componentIds: [instatusRealMaintenance.maintenance.affected_components[0]!.id],
      subject: 'Scheduled maintenance: Database upgrade',
    });
    expect(plan.updates.map((u) => [u.status, u.body.slice(0, 20)])).toEqual([
      ['scheduled', 'We will upgrade the '],
    ]);
  });

  it('give a maintenance’s updates without a status its status at the time', () => {
    const payload = clone(instatusRealMaintenance);
    payload.maintenance.status = 'Completed';
    payload.maintenance.maintenance_updates.unshift(
      { id: 'started', markdown: 'Started.', created_at: '2025-09-02T22:00:05.000Z' },
      { id: 'done', markdown: 'Done early.', created_at: '2025-09-02T23:10:00.000Z' },
    );
    const plan = planIncidentIngest(incidentOf(InstatusWebhook.parse(payload)), 'instatus');
    expect(plan.incident.status).toBe('completed');
    expect(plan.updates.map((u) => [u.updateId, u.status])).toEqual([
      [instatusRealMaintenance.maintenance.maintenance_updates[0]!.id, 'scheduled'],
      ['started', 'in_progress'],
      ['done', 'completed'],
    ]);

    payload.maintenance.status = 'In progress'; // a window run over: still in progress, not completed
    payload.maintenance.maintenance_updates[1].created_at = '2025-09-03T00:30:00.000Z';
    const late = planIncidentIngest(incidentOf(InstatusWebhook.parse(payload)), 'instatus');
    expect(late.updates.map((u) => u.status)).toEqual(['scheduled', 'in_progress', 'in_progress']);
  });

  it('take the documented window (start and duration in minutes) too', () => {
    const payload = clone(instatusMaintenance);
    payload.maintenance.start = '2025-09-02T22:00:00.000Z';
    const plan = planIncidentIngest(incidentOf(InstatusWebhook.parse(payload)), 'instatus');
    expect(plan.incident).toMatchObject({
      scheduledFor: '2025-09-02T22:00:00.000Z',
      scheduledUntil: '2025-09-03T00:00:00.000Z',
    });
  });

  it('refuse an unreadable window or text, naming Instatus’s fields', () => {
    const payload = clone(instatusRealMaintenance);
    payload.maintenance.maintenance_start_date = 'next Tuesday';
    payload.maintenance.maintenance_updates[0].markdown = 42;
    expect(
      InstatusWebhook.safeParse(payload)
        .error?.issues.map((i) => i.path.join('.'))
        .sort(),
    ).toEqual(['maintenance.maintenance_start_date', 'maintenance.maintenance_updates.0.markdown']);
  });

  it('keep accepting component webhooks and their squashed statuses', () => {
    expect(InstatusWebhook.parse(instatusRealComponent)).toMatchObject({
      kind: 'component',
      component: { id: instatusRealComponent.component.id, status: 'major_outage' },
      component_update: { new_status: 'major_outage' },
    });
  });
});

describe('Better Stack webhooks', () => {
  it('map an incident whose updates carry no status: plain updates, ids kept as written', () => {
    const payload = clone(betterStackIncident);
    payload.page.id = 183722; // a number, as some of their payloads write ids
    const plan = planIncidentIngest(incidentOf(BetterStackWebhook.parse(payload)), 'betterstack');
    expect(plan.incident).toMatchObject({
      incidentId: 'betterstack:183722:5530219',
      status: 'update',
      subject: 'Database connection issues',
    });
    expect(plan.updates.map((u) => [u.updateId, u.status, u.notify])).toEqual([
      ['9912001', 'update', false],
      ['9912045', 'update', true],
    ]);
  });

  it('call an update resolved from the incident’s resolution on', () => {
    const payload = clone(betterStackIncident);
    payload.incident.resolved_at = '2025-08-06T14:40:00Z';
    const plan = planIncidentIngest(incidentOf(BetterStackWebhook.parse(payload)), 'betterstack');
    expect(plan.incident.status).toBe('resolved');
    expect(plan.updates.map((u) => u.status)).toEqual(['update', 'resolved']);
  });

  it('map a maintenance: its window, and each update’s phase from when it was written', () => {
    const payload = clone(betterStackMaintenance);
    payload.maintenance.maintenance_updates.unshift(
      { id: '9913002', body: 'Started.', created_at: '2025-09-02T22:00:00Z' },
      { id: '9913003', body: 'Done.', created_at: '2025-09-02T23:10:00Z', status: 'COMPLETED' },
    );
    const plan = planIncidentIngest(incidentOf(BetterStackWebhook.parse(payload)), 'betterstack');
    expect(plan.incident).toMatchObject({
      incidentId: 'betterstack:183722:maintenance-5530301',
      impact: 'maintenance',
      status: 'completed',
      scheduledFor: '2025-09-02T22:00:00.000Z',
      scheduledUntil: '2025-09-03T00:00:00.000Z',
      subject: 'Scheduled maintenance: Database upgrade',
    });
    expect(plan.updates.map((u) => u.status)).toEqual(['scheduled', 'in_progress', 'completed']);
  });

  it('map a component change, and acknowledge event types that notify nobody', () => {
    expect(BetterStackWebhook.parse(betterStackComponent)).toMatchObject({
      kind: 'component',
      component: { id: '771034', name: 'Database' },
      component_update: { component_id: '771034', new_status: 'downtime' },
    });
    expect(BetterStackWebhook.parse({ ...clone(betterStackIncident), event_type: 'monitor' })).toEqual({
      kind: 'ignored',
      reason: 'event_type "monitor" notifies nobody',
    });
  });

  it('read statuses in any spelling, unknown words as updates, and affected components on the incident', () => {
    const payload = clone(betterStackIncident);
    payload.event_type = 'Incident';
    payload.incident.incident_updates[0].status = 'Identified';
    payload.incident.incident_updates[1].status = 'Looking into it';
    payload.incident.affected_components = [{ id: 771034, name: 'Database', status: 'Downtime' }];
    payload.incident.incident_updates[1].markdown = payload.incident.incident_updates[1].body;
    delete payload.incident.incident_updates[1].body;
    const plan = planIncidentIngest(incidentOf(BetterStackWebhook.parse(payload)), 'betterstack');
    expect(plan.incident).toMatchObject({ status: 'identified', impact: 'major', componentIds: ['771034'] });
    expect(plan.updates.map((u) => [u.status, u.body.slice(0, 13)])).toEqual([
      ['update', 'Some requests'],
      ['identified', "We've identif"],
    ]);
  });

  it('refuse an incident without updates, naming the field', () => {
    const payload = clone(betterStackIncident);
    delete payload.incident.incident_updates;
    expect(BetterStackWebhook.safeParse(payload).error?.issues.map((i) => i.path.join('.'))).toEqual([
      'incident.incident_updates',
    ]);
  });
});
