import { describe, expect, it } from 'vitest';
import { GenericIncident } from '../../shared/domain/generic-incident';
import { StatuspageWebhook } from '../../shared/domain/statuspage';
import componentWebhook from '../fixtures/component-webhook.json';
import incidentWebhookJson from '../fixtures/incident-webhook.json';
import { chatMessagesMayFail, incidentWebhook } from '../fixtures/seeds';

const clone = <T>(value: T): T => structuredClone(value);

describe('StatuspageWebhook', () => {
  it('recognizes an incident webhook by its incident key and normalizes timestamps to UTC', () => {
    const parsed = StatuspageWebhook.parse(incidentWebhook(chatMessagesMayFail, 2));
    expect(parsed.kind).toBe('incident');
    if (parsed.kind !== 'incident') return;
    expect(parsed.incident.incident_updates.map((u) => u.id)).toEqual(['u0x1v9d4k2m2', 'u0x1v9d4k2m1']);
    expect(parsed.incident.created_at).toBe('2025-08-06T14:14:00.000Z');
  });

  it('parses the captured-shape incident webhook fixture', () => {
    const parsed = StatuspageWebhook.parse(clone(incidentWebhookJson));
    expect(parsed.kind === 'incident' && parsed.incident.name).toBe(chatMessagesMayFail.name);
  });

  it('converts local offsets to UTC', () => {
    const payload = clone(incidentWebhook(chatMessagesMayFail, 1));
    payload.incident.incident_updates[0]!.created_at = '2025-05-14T13:35:00-04:00';
    const parsed = StatuspageWebhook.parse(payload);
    expect(parsed.kind === 'incident' && parsed.incident.incident_updates[0]?.created_at).toBe(
      '2025-05-14T17:35:00.000Z',
    );
  });

  it('recognizes a component webhook by its component and component_update keys', () => {
    const parsed = StatuspageWebhook.parse(clone(componentWebhook));
    expect(parsed.kind).toBe('component');
    expect(parsed.kind === 'component' && parsed.component.group_id).toBe('grp1produs01');
  });

  it('accepts the drift real payloads show: extra fields, nulls, missing optional blocks', () => {
    const payload = clone(incidentWebhook(chatMessagesMayFail, 1)) as Record<string, any>;
    delete payload.meta;
    delete payload.incident.components;
    delete payload.incident.page_id;
    payload.incident.organization_id = 'org123';
    payload.incident.metadata = { jira: { issue_id: 'OPS-1' } };
    payload.incident.incident_updates[0].affected_components = [
      { name: 'No components were affected by this update.' },
    ];
    delete payload.incident.incident_updates[0].deliver_notifications;
    payload.event_type = 'incident.updated'; // Better Stack adds one
    expect(StatuspageWebhook.safeParse(payload).success).toBe(true);
  });

  it.each([
    ['an incident without an id', (p: any) => delete p.incident.id, 'incident.id'],
    [
      'updates that are not a list',
      (p: any) => (p.incident.incident_updates = { id: 'x' }),
      'incident.incident_updates',
    ],
    ['a name that is not a string', (p: any) => (p.incident.name = 42), 'incident.name'],
    [
      'an update with a bad timestamp',
      (p: any) => (p.incident.incident_updates[0].created_at = 'yesterday'),
      'incident.incident_updates.0.created_at',
    ],
    ['a page without an id', (p: any) => delete p.page.id, 'page.id'],
    // Found by the property suite: it took the postmortem's key, so the postmortem was never stored.
    [
      'an update with the id the postmortem is stored under',
      (p: any) => (p.incident.incident_updates[0].id = 'postmortem'),
      'incident.incident_updates.0.id',
    ],
  ])('refuses %s and names the field', (_, mutate, path) => {
    const payload = clone(incidentWebhook(chatMessagesMayFail, 1));
    mutate(payload);
    const result = StatuspageWebhook.safeParse(payload);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });

  it('keeps its own kind when the sender adds a field named kind', () => {
    // Found by the property suite: `{ "kind": {} }` in an incident webhook replaced the parsed kind.
    const payload = { ...clone(incidentWebhook(chatMessagesMayFail, 1)), kind: 'component' };
    expect(StatuspageWebhook.parse(payload).kind).toBe('incident');
    expect(StatuspageWebhook.parse({ ...clone(componentWebhook), kind: 'incident' }).kind).toBe('component');
  });

  // Found by the ingest plan's property suite: within the old limits, an update naming 1,000 component ids
  // of 100 four-byte characters, or three updates naming 1,000 others each, planned an item over 400 KB.
  it('refuses component ids that are not printable ASCII, and more than 1,000 components in all', () => {
    const payload: any = clone(incidentWebhook(chatMessagesMayFail, 1));
    payload.incident.incident_updates[0].affected_components = [{ code: '😀'.repeat(100) }];
    expect(StatuspageWebhook.safeParse(payload).error?.issues.map((issue) => issue.path.join('.'))).toEqual([
      'incident.incident_updates.0.affected_components.0.code',
    ]);

    const affecting = (from: number) =>
      Array.from({ length: 1_000 }, (_, i) => ({ code: `c${String(from + i).padStart(99, '0')}` }));
    const updates = payload.incident.incident_updates;
    payload.incident.components = [];
    payload.incident.incident_updates = [0, 1_000].map((from, i) => ({
      ...updates[0],
      id: `u${i}`,
      affected_components: affecting(from),
    }));
    const result = StatuspageWebhook.safeParse(payload);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['incident', 'incident_updates'],
        message: expect.stringMatching(/^at most 1,000 components in all/),
      }),
    ]);
    payload.incident.incident_updates[1].affected_components = affecting(0); // the same thousand
    expect(StatuspageWebhook.safeParse(payload).success).toBe(true);
  });

  // Incident ids are `<source>:<page>:<incident>`: page `a:b` with incident `c` would be page `a` with `b:c`.
  it('refuses a page id with a colon, which would let two pages share incident ids', () => {
    const payload: any = clone(incidentWebhook(chatMessagesMayFail, 1));
    payload.page.id = 'a:b';
    expect(StatuspageWebhook.safeParse(payload).error?.issues).toEqual([
      expect.objectContaining({
        path: ['page', 'id'],
        message: 'printable ASCII characters other than ":" only',
      }),
    ]);
  });

  it('refuses a body that is neither kind', () => {
    const result = StatuspageWebhook.safeParse({ page: { id: 'p' }, hello: 'world' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/incident webhook/);
  });
});

describe('GenericIncident', () => {
  it('refuses an update with the id the postmortem is stored under', () => {
    const update = { id: 'postmortem', status: 'resolved', body: 'Fixed.', at: '2026-11-23T11:00:00Z' };
    const result = GenericIncident.safeParse({
      pageId: 'page1',
      incident: {
        id: 'inc1',
        name: 'Chat delayed',
        status: 'resolved',
        createdAt: update.at,
        updates: [update],
      },
    });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['incident.updates.0.id']);
  });
});
