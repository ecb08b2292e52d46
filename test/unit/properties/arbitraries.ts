import fc from 'fast-check';

/*
 * Generators shared by the property suites: Statuspage-shaped webhooks (as JSON arrives, before parsing)
 * and text of every kind a sender could put in one.
 */

/** The first `max` characters, as zod and the webhook limits count them: code points, not UTF-16 units. */
export const clip = (value: string, max: number) => [...value].slice(0, max).join('');

/** Text of any kind: printable ASCII, any code point (lone surrogates too), or grapheme clusters. */
export const anyText = (maxLength: number, minLength = 0): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ minLength, maxLength }),
    fc.string({ unit: 'binary', minLength, maxLength }),
    fc.string({ unit: 'grapheme', minLength, maxLength }).map((text) => clip(text, maxLength)),
  );

/** Ids as real pages have them (12 lower-case letters and digits) or any printable ASCII. */
export const anyId: fc.Arbitrary<string> = fc.oneof(
  fc.string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
    minLength: 12,
    maxLength: 12,
  }),
  fc.string({ minLength: 1, maxLength: 100 }),
);

/** Page ids: printable ASCII without a colon (the separator of the notifier's incident ids). */
export const pageId: fc.Arbitrary<string> = anyId.filter((id) => /^[\x21-\x39\x3b-\x7e]+$/.test(id));

const OFFSETS_MINUTES = [0, -240, -420, 60, 330, 345, -720, 840];

/** A timestamp as Statuspage writes one: UTC (`...Z`) or with the page's offset (`...-04:00`). */
export const timestampAt = (ms: number, offsetMinutes: number, utc: boolean): string => {
  if (utc) return new Date(ms).toISOString();
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};

const START = Date.UTC(2020, 0, 1);
/** Mostly distinct instants, sometimes the same few, so ties are tried too. */
const instant: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: START, max: Date.UTC(2030, 0, 1) }),
  fc.constantFrom(START, START + 60_000, START + 120_000),
);
export const timestamp: fc.Arbitrary<string> = fc
  .tuple(instant, fc.constantFrom(...OFFSETS_MINUTES), fc.boolean())
  .map(([ms, offset, utc]) => timestampAt(ms, offset, utc));

const STATUSES = ['investigating', 'identified', 'monitoring', 'resolved', 'postmortem', 'scheduled'];
const status = fc.oneof(fc.constantFrom(...STATUSES), anyText(20, 1));
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const shortText = nullable(anyText(30));

/** Component ids from a small pool, so updates and components overlap as on a real page. */
export const componentId: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('cmpchatus001', 'cmpemailus01', 'cmpchateu001'),
  anyId,
);

const affectedComponent = fc.record(
  {
    code: nullable(componentId),
    name: shortText,
    old_status: shortText,
    new_status: shortText,
  },
  { requiredKeys: [] },
);

/** Ids an update may have: any but the one the postmortem is stored under, which the parser refuses. */
const updateIdsFrom = (ids: fc.Arbitrary<string>) => ids.filter((id) => id !== 'postmortem');

export const incidentUpdate = (id: fc.Arbitrary<string> = anyId) =>
  fc.record(
    {
      id: updateIdsFrom(id),
      status,
      body: nullable(anyText(200)),
      created_at: timestamp,
      updated_at: timestamp,
      display_at: nullable(timestamp),
      deliver_notifications: nullable(fc.boolean()),
      affected_components: nullable(fc.array(affectedComponent, { maxLength: 4 })),
      wants_twitter_update: fc.boolean(),
    },
    { requiredKeys: ['id', 'status', 'created_at'] },
  );

const component = fc.record(
  {
    id: componentId,
    name: anyText(40),
    status: shortText,
    group_id: nullable(fc.constantFrom('grp1produs01', 'grp1prodeu01')),
    position: fc.integer({ min: 0, max: 100 }),
    description: shortText,
    group: fc.boolean(),
  },
  { requiredKeys: ['id', 'name'] },
);

interface WebhookOptions {
  /** The updates' ids; unique unless duplicates are wanted. */
  updateIds?: fc.Arbitrary<string>;
  uniqueUpdateIds?: boolean;
  maxUpdates?: number;
}

/** A whole incident webhook as JSON arrives: every known field (optional ones sometimes), nothing else. */
export const incidentWebhook = (options: WebhookOptions = {}) => {
  const update = incidentUpdate(options.updateIds ?? anyId);
  const maxLength = options.maxUpdates ?? 6;
  const updates =
    options.uniqueUpdateIds === false
      ? fc.array(update, { maxLength })
      : fc.uniqueArray(update, { maxLength, selector: (u) => u.id });
  return fc.record({
    meta: fc.record({ unsubscribe: fc.webUrl(), documentation: fc.webUrl() }),
    page: fc.record(
      {
        id: pageId,
        status_indicator: nullable(fc.constantFrom('none', 'minor', 'major', 'critical', 'maintenance')),
        status_description: shortText,
      },
      { requiredKeys: ['id'] },
    ),
    incident: fc.record(
      {
        id: anyId,
        name: anyText(60),
        status,
        impact: shortText,
        impact_override: shortText,
        created_at: timestamp,
        updated_at: nullable(timestamp),
        shortlink: nullable(fc.webUrl()),
        page_id: shortText,
        backfilled: fc.boolean(),
        incident_updates: updates,
        components: nullable(fc.array(component, { maxLength: 4 })),
        postmortem_body: nullable(anyText(200)),
        postmortem_published_at: nullable(timestamp),
        postmortem_notified_subscribers: nullable(fc.boolean()),
        scheduled_for: nullable(timestamp),
        scheduled_until: nullable(timestamp),
      },
      { requiredKeys: ['id', 'name', 'status', 'created_at', 'incident_updates'] },
    ),
  });
};
export type IncidentWebhookJson =
  ReturnType<typeof incidentWebhook> extends fc.Arbitrary<infer T> ? T : never;
