import { describe, expect, it } from 'vitest';
import { planIncidentIngest } from '../../shared/domain/ingest-plan';
import { StatuspageIncidentWebhook } from '../../shared/domain/statuspage';
import { chatMessagesMayFail, incidentWebhook, US_CHAT } from '../fixtures/seeds';

const plan = (payload: unknown) => planIncidentIngest(StatuspageIncidentWebhook.parse(payload));

describe('planIncidentIngest', () => {
  it('notifies only the newest update of the payload: missed updates join its timeline', () => {
    const { updates } = plan(incidentWebhook(chatMessagesMayFail, 3));
    expect(updates.map((u) => [u.updateId, u.notify])).toEqual([
      ['u0x1v9d4k2m1', false],
      ['u0x1v9d4k2m2', false],
      ['u0x1v9d4k2m3', true],
    ]);
  });

  it('stores but does not notify an update whose owner turned notifications off', () => {
    const payload = incidentWebhook(chatMessagesMayFail, 2);
    payload.incident.incident_updates[0]!.deliver_notifications = false;
    expect(plan(payload).updates.every((u) => !u.notify)).toBe(true);
  });

  it('decides the same way whatever order the updates arrive in', () => {
    const payload = incidentWebhook(chatMessagesMayFail, 4);
    const shuffled = structuredClone(payload);
    shuffled.incident.incident_updates.reverse();
    expect(plan(shuffled)).toEqual(plan(payload));
  });

  // Found by the property suite (test/unit/properties/ingest-plan.test.ts).
  it('orders updates of the same time by id, so the plan is the same whatever order they arrive in', () => {
    const payload = incidentWebhook(chatMessagesMayFail, 3);
    for (const update of payload.incident.incident_updates) {
      update.created_at = '2025-08-06T14:14:00Z';
      update.display_at = '2025-08-06T14:14:00Z';
    }
    const shuffled = structuredClone(payload);
    shuffled.incident.incident_updates.push(shuffled.incident.incident_updates.shift()!);
    expect(plan(shuffled)).toEqual(plan(payload));
    // localeCompare calls ids that differ only by a control character equal: the newest was the first listed.
    const webhook = StatuspageIncidentWebhook.parse(incidentWebhook(chatMessagesMayFail, 1));
    const [update] = webhook.incident.incident_updates;
    const tied = (ids: string[]) =>
      planIncidentIngest({
        ...webhook,
        incident: { ...webhook.incident, incident_updates: ids.map((id) => ({ ...update!, id })) },
      }).updates.filter((u) => u.notify);
    expect(tied(['u\u0000', 'u\u0001'])).toEqual(tied(['u\u0001', 'u\u0000']));
  });

  it('plans an update id the payload repeats once, with its newest copy', () => {
    const payload = incidentWebhook(chatMessagesMayFail, 2);
    const [newer, older] = payload.incident.incident_updates;
    payload.incident.incident_updates.push({ ...older!, id: newer!.id });
    const { updates } = plan(payload);
    expect(updates.map((u) => [u.updateId, u.notify])).toEqual([
      [older!.id, false],
      [newer!.id, true],
    ]);
    expect(updates[1]?.body).toBe(newer!.body);
  });

  it('adds a notified postmortem once it is published', () => {
    const withPostmortem = plan(incidentWebhook(chatMessagesMayFail, 4, { postmortem: true }));
    const postmortem = withPostmortem.updates.at(-1);
    expect(postmortem).toMatchObject({ updateId: 'postmortem', kind: 'postmortem', notify: true });
    expect(postmortem?.body).toContain('Root Cause');
    expect(plan(incidentWebhook(chatMessagesMayFail, 4)).updates.some((u) => u.kind === 'postmortem')).toBe(
      false,
    );
  });

  it('unions incident components with affected components, ignoring placeholders without a code', () => {
    const payload = incidentWebhook(chatMessagesMayFail, 2);
    payload.incident.components = [];
    payload.incident.incident_updates[0]!.affected_components = [
      { name: 'No components were affected by this update.' } as never,
      {
        code: 'cmpemailus01',
        name: 'Channel - Email',
        old_status: 'operational',
        new_status: 'degraded_performance',
      },
    ];
    expect(plan(payload).incident.componentIds).toEqual(['cmpchatus001', 'cmpemailus01']);
  });

  it('fixes a subject that is header-safe and reads as the incident is named', () => {
    const payload = incidentWebhook(chatMessagesMayFail, 1);
    payload.incident.name = 'Chat down\r\nBcc: victim@example.com';
    const { incident } = plan(payload);
    expect(incident.subject).toBe('Chat down Bcc: victim@example.com');
  });

  it('names scheduled maintenance as such in the subject, whichever phase it is first seen in', () => {
    const payload = incidentWebhook(chatMessagesMayFail, 1);
    payload.incident.name = 'Database upgrade';
    payload.incident.impact = 'none';
    payload.incident.status = 'in_progress';
    expect(plan(payload).incident.subject).toBe('Scheduled maintenance: Database upgrade');
  });

  it('records where components sit, for the catalog', () => {
    expect(plan(incidentWebhook(chatMessagesMayFail, 1)).placements).toEqual([
      expect.objectContaining({ componentId: US_CHAT, groupId: 'grp1produs01', name: 'Channel - Chat' }),
    ]);
  });
});
