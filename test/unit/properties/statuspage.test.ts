import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  StatuspageAffectedComponent,
  StatuspageComponent,
  StatuspageIncident,
  StatuspageIncidentUpdate,
  StatuspageIncidentWebhook,
  StatuspagePage,
  StatuspageWebhook,
  WEBHOOK_LIMITS,
} from '../../../shared/domain/statuspage';
import { clip, incidentWebhook } from './arbitraries';

type Path = (string | number)[];
type Json = Record<string, any>;

const AT = '2025-08-06T14:14:00Z';
/** The smallest webhook that has one of every nested thing a limit applies to. */
const base = (char = 'x'): Json => ({
  page: { id: 'zt2xw0cbdp1v' },
  incident: {
    id: 'x1v9d4k2m7qp',
    name: 'Chat messages may fail to deliver',
    status: 'investigating',
    created_at: AT,
    incident_updates: [
      {
        id: 'u1',
        status: 'investigating',
        created_at: AT,
        affected_components: [{ code: nthComponent(0, char) }],
      },
    ],
    components: [{ id: nthComponent(0, char), name: 'Channel - Chat', components: ['c2'] }],
  },
});

interface Site {
  path: Path;
  max: number;
  /** A value of size `n` (characters, or items) made of `char`. */
  fill: (n: number, char: string) => unknown;
  /** A component or region id: printable ASCII only. */
  ascii?: boolean;
}
const textSite =
  (max: number) =>
  (path: Path): Site => ({ path, max, fill: (n, char) => char.repeat(n) });
const id = textSite(WEBHOOK_LIMITS.idLength);
/** A printable ASCII character standing for `char`: component ids are ASCII. */
const asciiFor = (char: string) =>
  /^[\x20-\x7e]$/.test(char) ? char : String.fromCharCode(0x21 + ((char.codePointAt(0) ?? 0) % 94));
const componentId = (path: Path): Site => ({
  path,
  max: WEBHOOK_LIMITS.idLength,
  fill: (n, char) => asciiFor(char).repeat(n),
  ascii: true,
});
/** A page id: printable ASCII but a colon (the separator of incident ids), standing for `char`. */
const pageIdSite = (path: Path): Site => ({
  path,
  max: WEBHOOK_LIMITS.idLength,
  fill: (n, char) => (asciiFor(char) === ':' || asciiFor(char) === ' ' ? 'p' : asciiFor(char)).repeat(n),
  ascii: true,
});
const name = textSite(WEBHOOK_LIMITS.nameLength);
const short = textSite(WEBHOOK_LIMITS.shortText);
const body = textSite(WEBHOOK_LIMITS.bodyLength);
const listSite = (path: Path, max: number, item: (i: number, char: string) => unknown): Site => ({
  path,
  max,
  fill: (n, char) => Array.from({ length: n }, (_, i) => item(i, char)),
});
/**
 * The i-th of the 1,000 components a payload may name in all: the first is the one a component id
 * site sets, so components and affected components name the same thousand.
 */
const nthComponent = (i: number, char: string) =>
  i === 0 ? asciiFor(char).repeat(WEBHOOK_LIMITS.idLength) : `c${i + 1}`;

/** Every limited field of an incident webhook, at the path a refusal must name. */
const SITES: Site[] = [
  pageIdSite(['page', 'id']),
  short(['page', 'status_indicator']),
  short(['page', 'status_description']),
  id(['incident', 'id']),
  name(['incident', 'name']),
  short(['incident', 'status']),
  short(['incident', 'impact']),
  short(['incident', 'impact_override']),
  short(['incident', 'shortlink']),
  short(['incident', 'page_id']),
  body(['incident', 'postmortem_body']),
  listSite(['incident', 'incident_updates'], WEBHOOK_LIMITS.updates, (i, char) => ({
    id: `u${i + 1}`,
    status: 'investigating',
    created_at: AT,
    affected_components: [{ code: nthComponent(0, char) }],
  })),
  id(['incident', 'incident_updates', 0, 'id']),
  short(['incident', 'incident_updates', 0, 'status']),
  body(['incident', 'incident_updates', 0, 'body']),
  listSite(
    ['incident', 'incident_updates', 0, 'affected_components'],
    WEBHOOK_LIMITS.components,
    (i, char) => ({
      code: nthComponent(i, char),
    }),
  ),
  componentId(['incident', 'incident_updates', 0, 'affected_components', 0, 'code']),
  short(['incident', 'incident_updates', 0, 'affected_components', 0, 'name']),
  short(['incident', 'incident_updates', 0, 'affected_components', 0, 'old_status']),
  short(['incident', 'incident_updates', 0, 'affected_components', 0, 'new_status']),
  listSite(['incident', 'components'], WEBHOOK_LIMITS.components, (i, char) => ({
    id: nthComponent(i, char),
    name: 'x',
    components: ['c2'],
  })),
  componentId(['incident', 'components', 0, 'id']),
  name(['incident', 'components', 0, 'name']),
  short(['incident', 'components', 0, 'status']),
  componentId(['incident', 'components', 0, 'group_id']),
  short(['incident', 'components', 0, 'page_id']),
  short(['incident', 'components', 0, 'description']),
  listSite(['incident', 'components', 0, 'components'], WEBHOOK_LIMITS.components, (i) => `c${i + 1}`),
  componentId(['incident', 'components', 0, 'components', 0]),
];

const setAt = (target: Json, path: Path, value: unknown) => {
  const parent = path.slice(0, -1).reduce((node: Json, key) => node[key], target);
  parent[path.at(-1) as string | number] = value;
};
const getAt = (target: unknown, path: Path) => path.reduce((node: any, key) => node?.[key], target);
const dotted = (path: readonly PropertyKey[]) => path.map(String).join('.');

/** One character of any width UTF-8 has (1 to 4 bytes), or any code point at all. */
const oneChar = fc.oneof(
  fc.constantFrom('x', 'é', '中', '😀'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

/** Sites set to their limit: lists first, so a text inside a list's first item lands in the final list. */
const apply = (payload: Json, sites: readonly Site[], size: (site: Site) => number, char: string) => {
  for (const site of [...sites].sort((a, b) => a.path.length - b.path.length)) {
    setAt(payload, site.path, site.fill(size(site), char));
  }
  return payload;
};

describe('the Statuspage webhook parser, for any payload', () => {
  it('accepts any payload with every limited field anywhere up to its limit, in characters of any width', () => {
    fc.assert(
      fc.property(fc.subarray(SITES), oneChar, (sites, char) => {
        const payload = apply(base(char), sites, (site) => site.max, char);
        const parsed = StatuspageWebhook.safeParse(payload);
        expect(parsed.error?.issues ?? []).toEqual([]);
        // Nothing is cut short: texts come back whole, lists with every item.
        const size = (value: unknown) => (Array.isArray(value) ? value.length : value);
        for (const site of sites)
          expect(size(getAt(parsed.data, site.path))).toEqual(size(getAt(payload, site.path)));
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a field one past its limit with exactly one issue, naming that field and its limit', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SITES), fc.subarray(SITES), oneChar, (over, atLimit, char) => {
        const others = atLimit.filter((site) => dotted(site.path) !== dotted(over.path));
        const payload = apply(base(char), others, (site) => site.max, char);
        apply(payload, [over], (site) => site.max + 1, char);
        for (const schema of [StatuspageWebhook, StatuspageIncidentWebhook]) {
          const result = schema.safeParse(payload);
          const issues = result.error?.issues ?? [];
          expect(issues.map((issue) => dotted(issue.path))).toEqual([dotted(over.path)]);
          expect(issues[0]?.message).toMatch(new RegExp(`^at most ${over.max.toLocaleString('en-US')} \\D`));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a component or region id with any character outside printable ASCII, naming it', () => {
    const ids = SITES.filter((site) => site.ascii);
    const notAscii = fc
      .tuple(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }))
      .filter(([, char]) => !/^[\x20-\x7e]$/.test(char))
      .map(([ascii, char]) => clip(ascii + char + ascii, WEBHOOK_LIMITS.idLength));
    fc.assert(
      fc.property(fc.constantFrom(...ids), notAscii, (site, value) => {
        const payload = base();
        setAt(payload, site.path, value);
        const result = StatuspageWebhook.safeParse(payload);
        expect(result.error?.issues.map((issue) => dotted(issue.path))).toEqual([dotted(site.path)]);
      }),
      { numRuns: 200 },
    );
  });

  it('accepts at most 1,000 components in all, counting every update and the incident', () => {
    // Ranges of a pool of ids: the incident's components and each update's affected components.
    const range = fc.tuple(fc.integer({ min: 0, max: 1_500 }), fc.integer({ min: 0, max: 600 }));
    fc.assert(
      fc.property(range, fc.array(range, { minLength: 1, maxLength: 4 }), (components, updates) => {
        const ids = ([start, length]: [number, number]) => Array.from({ length }, (_, i) => `c${start + i}`);
        const payload = base();
        payload.incident.components = ids(components).map((componentId) => ({ id: componentId, name: 'x' }));
        payload.incident.incident_updates = updates.map((r, i) => ({
          id: `u${i}`,
          status: 'investigating',
          created_at: AT,
          affected_components: ids(r).map((code) => ({ code })),
        }));
        const all = new Set([...ids(components), ...updates.flatMap(ids)]);
        const result = StatuspageWebhook.safeParse(payload);
        expect(result.error?.issues.map((issue) => dotted(issue.path)) ?? []).toEqual(
          all.size > WEBHOOK_LIMITS.components ? ['incident.incident_updates'] : [],
        );
      }),
      { numRuns: 200 },
    );
  });

  it('parses every generated webhook, normalizing its timestamps to UTC', () => {
    fc.assert(
      fc.property(incidentWebhook(), (payload) => {
        const parsed = StatuspageWebhook.parse(payload);
        expect(parsed.kind).toBe('incident');
        if (parsed.kind !== 'incident') return;
        expect(parsed.incident.created_at).toBe(new Date(payload.incident.created_at).toISOString());
        expect(parsed.incident.incident_updates.map((u) => u.created_at)).toEqual(
          payload.incident.incident_updates.map((u) => new Date(u.created_at).toISOString()),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('ignores unknown fields at any level: the known fields parse the same, the kind is kept', () => {
    const known = new Set([
      ...Object.keys(StatuspagePage.shape),
      ...Object.keys(StatuspageIncident.shape),
      ...Object.keys(StatuspageIncidentUpdate.shape),
      ...Object.keys(StatuspageAffectedComponent.shape),
      ...Object.keys(StatuspageComponent.shape),
      'page',
      'incident',
      'component',
      'component_update',
    ]);
    // Names senders really add (Better Stack's event_type...), names with a meaning in JavaScript, any name.
    const extraName = fc
      .oneof(
        fc.constantFrom('kind', 'event_type', 'status_report_id', 'metadata', 'organization_id', 'meta'),
        fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'then'),
        fc.string(),
      )
      .filter((key) => !known.has(key));
    const extras = fc.array(fc.tuple(fc.nat(), extraName, fc.jsonValue({ maxDepth: 2 })), { maxLength: 6 });

    fc.assert(
      fc.property(incidentWebhook(), extras, (payload, added) => {
        const plain = StatuspageWebhook.parse(payload);
        // The extra fields go into the JSON text, where a body gets them (JSON.parse keeps "__proto__" as a key).
        const objects = (json: Json): Json[] => [
          json,
          json.page,
          json.incident,
          ...json.incident.incident_updates,
          ...json.incident.incident_updates.flatMap((u: Json) => u.affected_components ?? []),
          ...(json.incident.components ?? []),
        ];
        const withExtras = JSON.parse(JSON.stringify(payload));
        const targets = objects(withExtras);
        const names = new Set<string>();
        for (const [at, key, value] of added) {
          Object.defineProperty(targets[at % targets.length], key, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
          names.add(key);
        }
        const parsed = StatuspageWebhook.parse(withExtras);
        expect(parsed.kind).toBe('incident');
        const strip = (value: unknown): unknown =>
          Array.isArray(value)
            ? value.map(strip)
            : value && typeof value === 'object'
              ? Object.fromEntries(
                  Object.entries(value)
                    .filter(([key]) => !names.has(key))
                    .map(([key, v]) => [key, strip(v)]),
                )
              : value;
        expect({ ...(strip(parsed) as Json), kind: parsed.kind }).toEqual({
          ...(strip(plain) as Json),
          kind: plain.kind,
        });
        expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
      }),
      { numRuns: 300 },
    );
  });

  it('throws nothing but a ZodError, whatever the body: any JSON, or a webhook with any part replaced', () => {
    const nodes = (value: unknown, path: Path = []): Path[] =>
      value && typeof value === 'object'
        ? [path, ...Object.entries(value).flatMap(([key, v]) => nodes(v, [...path, key]))]
        : [path];
    const mutated = fc
      .tuple(incidentWebhook(), fc.nat(), fc.jsonValue({ maxDepth: 3 }))
      .map(([payload, pick, replacement]) => {
        const all = nodes(payload).filter((path) => path.length > 0);
        setAt(payload as Json, all[pick % all.length] as Path, replacement);
        return payload as unknown;
      });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), mutated), (body) => {
        for (const schema of [StatuspageWebhook, StatuspageIncidentWebhook]) {
          expect(() => schema.safeParse(body)).not.toThrow();
          try {
            schema.parse(body);
          } catch (error) {
            // zod/mini throws core's error class, not the classic API's ZodError.
            expect(error).toBeInstanceOf(z.core.$ZodError);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
