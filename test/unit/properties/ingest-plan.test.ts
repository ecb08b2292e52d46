import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IncidentUpdate } from '../../../shared/domain/incident';
import { planIncidentIngest } from '../../../shared/domain/ingest-plan';
import { StatuspageIncidentWebhook, WEBHOOK_LIMITS } from '../../../shared/domain/statuspage';
import { anyId, type IncidentWebhookJson, incidentUpdate, incidentWebhook, timestampAt } from './arbitraries';

const plan = (payload: unknown) => planIncidentIngest(StatuspageIncidentWebhook.parse(payload));
const upstream = (updates: readonly IncidentUpdate[]) => updates.filter((u) => u.kind === 'update');

/** Update ids as any sender might write them, and ids only control characters tell apart. */
const updateId = fc.oneof(
  anyId,
  fc.constantFrom('u1', 'u1\u0000', 'u1\u0001', 'U1'),
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 4 }),
);

/** A payload and the same payload with its updates in another order. */
const reordered = incidentWebhook({ updateIds: updateId }).chain((payload) =>
  fc.tuple(
    fc.constant(payload),
    fc
      .shuffledSubarray(payload.incident.incident_updates, {
        minLength: payload.incident.incident_updates.length,
        maxLength: payload.incident.incident_updates.length,
      })
      .map((updates) => ({ ...payload, incident: { ...payload.incident, incident_updates: updates } })),
  ),
);

describe('the ingest plan, for any webhook', () => {
  it('is deterministic: the same payload, planned twice or from a copy, gives the same items and keys', () => {
    fc.assert(
      fc.property(incidentWebhook({ updateIds: updateId, uniqueUpdateIds: false }), (payload) => {
        const parsed = StatuspageIncidentWebhook.parse(payload);
        const before = structuredClone(parsed);
        const first = planIncidentIngest(parsed);
        expect(planIncidentIngest(parsed)).toEqual(first);
        expect(plan(structuredClone(payload))).toEqual(first);
        expect(parsed).toEqual(before); // planning changes nothing it was given
        const keys = (p: typeof first) => p.updates.map((u) => `${u.incidentId}/${u.updateId}`);
        expect(keys(plan(payload))).toEqual(keys(first));
      }),
      { numRuns: 300 },
    );
  });

  // An update may not take the postmortem's id: the parser refuses it (see the parser's unit tests).
  it('plans each update once: ids are unique, even when a payload repeats one', () => {
    fc.assert(
      fc.property(incidentWebhook({ updateIds: updateId, uniqueUpdateIds: false }), (payload) => {
        const ids = plan(payload).updates.map((u) => u.updateId);
        expect(ids).toEqual([...new Set(ids)]);
      }),
      { numRuns: 300 },
    );
  });

  it('notifies at most the newest update, only when its owner did not turn notifications off', () => {
    fc.assert(
      fc.property(incidentWebhook({ updateIds: updateId }), (payload) => {
        const { updates } = plan(payload);
        const notifying = upstream(updates).filter((u) => u.notify);
        expect(notifying.length).toBeLessThanOrEqual(1);
        const parsed = StatuspageIncidentWebhook.parse(payload).incident.incident_updates;
        const latest = Math.max(...parsed.map((u) => Date.parse(u.created_at)));
        for (const update of notifying) {
          const source = parsed.find((u) => u.id === update.updateId);
          expect(Date.parse(source?.created_at ?? '')).toBe(latest);
          expect(source?.deliver_notifications).not.toBe(false);
        }
        // What notifies is stored after its timeline.
        const first = updates.findIndex((u) => u.notify);
        if (first >= 0) expect(updates.slice(first).every((u) => u.notify)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('decides the same whatever order the updates arrive in: which notifies, and the whole plan', () => {
    fc.assert(
      fc.property(reordered, ([payload, shuffled]) => {
        const notifies = (p: unknown) =>
          Object.fromEntries(plan(p).updates.map((u) => [u.updateId, u.notify] as const));
        expect(notifies(shuffled)).toEqual(notifies(payload));
        expect(plan(shuffled)).toEqual(plan(payload));
      }),
      { numRuns: 300 },
    );
  });

  it('makes replays and gaps harmless: each webhook notifies only what it brings that is new', () => {
    // An incident's lifecycle: updates 1..n, each webhook k carries updates k..1 (newest first, as Statuspage
    // sends). Webhooks arrive in any order, repeated (retries) or missing (a gap). Stored items are written
    // as the incidents table does: a conditional put per key, so the first write of a key wins.
    const lifecycle = fc
      .uniqueArray(incidentUpdate(updateId), { minLength: 1, maxLength: 6, selector: (u) => u.id })
      .chain((updates) =>
        fc.tuple(
          fc.constant(
            updates.map((update, i) => ({
              ...update,
              created_at: timestampAt(Date.UTC(2025, 7, 6, 14, i), -240, i % 2 === 0),
            })),
          ),
          fc.array(fc.integer({ min: 1, max: updates.length }), { minLength: 1, maxLength: 12 }),
        ),
      );
    fc.assert(
      fc.property(incidentWebhook(), lifecycle, (template, [updates, deliveries]) => {
        const webhook = (k: number): IncidentWebhookJson => ({
          ...template,
          incident: {
            ...template.incident,
            incident_updates: updates.slice(0, k).reverse(),
            postmortem_published_at: null, // no postmortem yet: this is about the updates
          },
        });
        const stored = new Map<string, IncidentUpdate>();
        const notified: string[] = [];
        const expected: string[] = [];
        let newest = 0;
        for (const k of deliveries) {
          const planned = plan(webhook(k));
          // The same update has the same key and content in every webhook that carries it.
          for (const update of upstream(planned.updates)) {
            const earlier = stored.get(update.updateId);
            if (earlier) expect({ ...update, notify: earlier.notify }).toEqual(earlier);
          }
          for (const update of planned.updates) {
            if (stored.has(update.updateId)) continue;
            stored.set(update.updateId, update);
            if (update.notify) notified.push(update.updateId);
          }
          // A mail goes out for a webhook only when it brings an update newer than any before it.
          if (k > newest && updates[k - 1]?.deliver_notifications !== false)
            expected.push(updates[k - 1]?.id as string);
          newest = Math.max(newest, k);
        }
        expect(notified).toEqual(expected);
        expect(new Set(upstream([...stored.values()]).map((u) => u.updateId))).toEqual(
          new Set(updates.slice(0, newest).map((u) => u.id)),
        );
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * DynamoDB's size of an item: names and strings in UTF-8 bytes, numbers at most 21 bytes, 1 byte for a
 * boolean or null, 3 bytes per list or map plus 1 per element; a set is its strings.
 */
function itemBytes(item: Record<string, unknown>): number {
  const size = (value: unknown): number => {
    if (typeof value === 'string') return Buffer.byteLength(value);
    if (typeof value === 'number') return 21;
    if (value instanceof Set) return [...value].reduce((n: number, v) => n + size(v), 0);
    if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + size(v), 0);
    if (value && typeof value === 'object')
      return 3 + Object.entries(value).reduce((n, [k, v]) => n + 1 + Buffer.byteLength(k) + size(v), 0);
    return 1;
  };
  return Object.entries(item).reduce((n, [name, value]) => n + Buffer.byteLength(name) + size(value), 0);
}
const ITEM_LIMIT = 400 * 1024;

describe('the ingest plan of a webhook at its limits', () => {
  // Corners of the limits: every text at its limit or short, in characters 1 to 4 bytes wide, and up to
  // three updates each naming the most components one may: the same thousand, others within a thousand
  // in all, or a thousand of their own each; component ids in ASCII or four-byte characters.
  const corner = fc
    .record({
      char: fc.constantFrom('x', 'é', '中', '😀'),
      updates: fc.integer({ min: 1, max: 3 }),
      affected: fc.constantFrom(0, WEBHOOK_LIMITS.components),
      components: fc.constantFrom(0, WEBHOOK_LIMITS.components),
      spread: fc.constantFrom('same', 'within', 'own'),
      componentChar: fc.constantFrom('x', '😀'),
      full: fc.boolean(),
    })
    .map(({ char, updates, affected, components, spread, componentChar, full }) => {
      const fill = (max: number) => char.repeat(full ? max : 1);
      const id = (tag: string) => `${tag}${char.repeat(WEBHOOK_LIMITS.idLength - tag.length)}`;
      const componentId = (i: number) =>
        `c${i}.${componentChar.repeat(WEBHOOK_LIMITS.idLength - `c${i}.`.length)}`;
      const nth = { same: (i: number) => i, within: (i: number, u: number) => (i + u * 337) % 1_000 };
      const affectedId = spread === 'own' ? (i: number, u: number) => 1_000 * (u + 1) + i : nth[spread];
      const at = '2025-08-06T14:14:00Z';
      return {
        page: { id: id('p') },
        incident: {
          id: id('i'),
          name: fill(WEBHOOK_LIMITS.nameLength),
          status: fill(WEBHOOK_LIMITS.shortText),
          impact: fill(WEBHOOK_LIMITS.shortText),
          impact_override: fill(WEBHOOK_LIMITS.shortText),
          shortlink: fill(WEBHOOK_LIMITS.shortText),
          page_id: fill(WEBHOOK_LIMITS.shortText),
          created_at: at,
          updated_at: at,
          scheduled_for: at,
          scheduled_until: at,
          postmortem_body: fill(WEBHOOK_LIMITS.bodyLength),
          postmortem_published_at: at,
          postmortem_notified_subscribers: true,
          components: Array.from({ length: components }, (_, i) => ({ id: componentId(i), name: 'x' })),
          incident_updates: Array.from({ length: updates }, (_, u) => ({
            id: id(`u${u}.`),
            status: fill(WEBHOOK_LIMITS.shortText),
            body: fill(WEBHOOK_LIMITS.bodyLength),
            created_at: at,
            display_at: at,
            affected_components: Array.from({ length: affected }, (_, i) => ({
              code: componentId(affectedId(i, u)),
            })),
          })),
        },
      };
    });

  it('refuses it, or plans items that each fit one DynamoDB item (400 KB) as the incidents table stores them', () => {
    fc.assert(
      fc.property(corner, (payload) => {
        const parsed = StatuspageIncidentWebhook.safeParse(payload);
        if (!parsed.success) return; // refused with a 400 naming the limit (the parser's properties)
        const { incident, updates } = planIncidentIngest(parsed.data);
        const { componentIds, ...fields } = incident;
        const meta = { pk: incident.incidentId, sk: 'META', type: 'incident', ...fields };
        expect(itemBytes({ ...meta, componentIds: new Set(componentIds) })).toBeLessThanOrEqual(ITEM_LIMIT);
        for (const update of updates) {
          const item = { pk: update.incidentId, sk: `UPDATE#${update.updateId}`, type: 'update', ...update };
          expect(itemBytes(item)).toBeLessThanOrEqual(ITEM_LIMIT);
        }
      }),
      { numRuns: 60 },
    );
  });
});
