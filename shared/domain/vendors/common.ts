import { StatuspageWebhook } from '../statuspage';
import * as z from '../zod';

/*
 * Instatus and Better Stack post Statuspage-shaped webhooks with their own differences. Each vendor's
 * module maps its payload onto Statuspage's shape, and Statuspage's schema then validates it: one set of
 * limits and one ingest for every source. The mapping runs before validation, so it only renames and
 * translates what it finds and leaves anything unexpected for the schema to refuse, with the vendor's own
 * field names in the error. Words (statuses, impacts) are read leniently: vendors spell them in upper
 * case, Title case, squashed or with spaces, and a word we do not know reads as a plain update.
 */

type Json = Record<string, unknown>;

export type VendorMapping =
  | {
      kind: 'mapped';
      payload: Json;
      /** Statuspage's field names the mapping filled from the vendor's, for errors to name the vendor's. */
      fieldNames?: Record<string, string>;
    }
  | { kind: 'ignored'; reason: string };

/** A webhook of a kind that notifies nobody: acknowledged (so the vendor does not retry it), not stored. */
export interface IgnoredWebhook {
  kind: 'ignored';
  reason: string;
}

/** A vendor's webhook schema: its payload mapped by `map`, then validated as a Statuspage webhook. */
export function vendorWebhook(map: (body: Json) => VendorMapping) {
  return z.pipe(
    z.record(z.string(), z.unknown(), { error: 'body must be a JSON object' }),
    z.transform((body, ctx): StatuspageWebhook | IgnoredWebhook => {
      const mapping = map(body);
      if (mapping.kind === 'ignored') return mapping;
      const parsed = StatuspageWebhook.safeParse(mapping.payload);
      if (parsed.success) return parsed.data;
      const names = mapping.fieldNames ?? {};
      const rename = (field: PropertyKey) =>
        typeof field === 'string' && Object.hasOwn(names, field) ? (names[field] as string) : field;
      for (const issue of parsed.error.issues)
        z.addIssue(ctx, { code: 'custom', message: issue.message, path: issue.path.map(rename) });
      return z.NEVER;
    }),
  );
}

/** A maintenance is mapped onto Statuspage's incident: errors name the vendor's fields. */
export const MAINTENANCE_FIELDS = { incident: 'maintenance', incident_updates: 'maintenance_updates' };

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Vendors write ids as numbers too: kept as the string they spell. */
export const idText = (value: unknown) => (typeof value === 'number' ? String(value) : value);

/** A word as vendors vary it, for lookup: `In progress`, `IN_PROGRESS`, `inProgress` are all `INPROGRESS`. */
const squashed = (word: string) => word.toUpperCase().replace(/[^A-Z]/g, '');

/** Statuspage's incident and maintenance phases, the words the rest of the notifier reads. */
const STATUSPAGE_STATUSES = [
  'investigating',
  'identified',
  'monitoring',
  'resolved',
  'postmortem',
  'scheduled',
  'in_progress',
  'verifying',
  'completed',
] as const;
const STATUS_BY_SQUASHED = new Map<string, string>(STATUSPAGE_STATUSES.map((s) => [squashed(s), s]));

/** A status a vendor wrote that is not a word: absent, blank, or not text. */
const isBlank = (value: unknown) => typeof value !== 'string' || squashed(value) === '';

/**
 * A vendor's status word in Statuspage's: looked up in the vendor's `table` (of squashed words), else
 * Statuspage's own word in any spelling, else `update`: an unknown word is a plain update, never refused.
 * `undefined` when there is no word at all, for the caller to infer one.
 */
export function statusWord(table: Record<string, string>, value: unknown): string | undefined {
  if (isBlank(value)) return undefined;
  const key = squashed(value as string);
  if (Object.hasOwn(table, key)) return table[key];
  return STATUS_BY_SQUASHED.get(key) ?? 'update';
}

/** Impacts as vendors write them (an incident's impact, a page's or a component's status), squashed. */
const IMPACT: Record<string, string> = {
  NONE: 'none',
  MINOR: 'minor',
  MAJOR: 'major',
  CRITICAL: 'critical',
  MAINTENANCE: 'maintenance',
  OPERATIONAL: 'none',
  DEGRADED: 'minor',
  DEGRADEDPERFORMANCE: 'minor',
  PARTIALOUTAGE: 'minor',
  MINOROUTAGE: 'minor',
  MAJOROUTAGE: 'major',
  DOWNTIME: 'major',
  UNDERMAINTENANCE: 'maintenance',
};
const IMPACT_RANK = ['none', 'minor', 'major', 'critical'];

/** An impact word in Statuspage's, or undefined for a word we do not know. */
export function impactWord(value: unknown): string | undefined {
  if (isBlank(value)) return undefined;
  const key = squashed(value as string);
  return Object.hasOwn(IMPACT, key) ? IMPACT[key] : undefined;
}

/**
 * An incident's impact as the worst status among its affected components (`Major outage` is major),
 * for vendors whose incidents often carry none. A component under maintenance adds nothing: that would
 * make an incident read as a maintenance.
 */
export function worstComponentImpact(affected: unknown): string | undefined {
  if (!Array.isArray(affected)) return undefined;
  const ranks = affected
    .map((entry) => (isObject(entry) ? impactWord(entry.status ?? entry.new_status) : undefined))
    .map((impact) => IMPACT_RANK.indexOf(impact ?? ''))
    .filter((rank) => rank >= 0);
  return ranks.length > 0 ? IMPACT_RANK[Math.max(...ranks)] : undefined;
}

/**
 * A vendor's affected components (`[{ id, name, status }]`, Instatus's) in the shape of Statuspage's
 * `affected_components` (`code` is the component id). Entries already in Statuspage's shape stay as
 * they are; anything that is not a list is left for the schema.
 */
export function affectedComponents(list: unknown): unknown {
  return mapList(list, ({ id, code, status, ...rest }) => ({
    ...rest,
    code: idText(code ?? id),
    ...(rest.new_status === undefined && typeof status === 'string' ? { new_status: status } : {}),
  }));
}

/** An update's text: Statuspage's `body`, or the vendor's `markdown` (Instatus) or `message`. */
export function updateText(update: Json): unknown {
  for (const field of ['body', 'markdown', 'message'] as const)
    if (update[field] !== undefined && update[field] !== null) return update[field];
  return update.body;
}

/** The vendor field an update's text came from, for errors to name it. */
export function textFieldNames(updates: unknown): Record<string, string> {
  const first = Array.isArray(updates) ? updates.find(isObject) : undefined;
  if (!first || first.body !== undefined) return {};
  if (first.markdown !== undefined) return { body: 'markdown' };
  return first.message !== undefined ? { body: 'message' } : {};
}

/**
 * An update in Statuspage's shape: its text in `body`, `status` when given, and the incident's affected
 * components (Instatus names them on the incident, Statuspage on each update) as its own.
 */
export function vendorUpdate(update: Record<string, unknown>, affected: unknown, status?: string) {
  const own = affectedComponents(update.affected_components);
  const incidentWide = affectedComponents(affected);
  return {
    ...update,
    id: idText(update.id),
    body: updateText(update),
    ...(status !== undefined ? { status } : {}),
    ...(incidentWide === undefined || incidentWide === null
      ? { affected_components: own }
      : {
          affected_components:
            Array.isArray(own) && Array.isArray(incidentWide) ? [...own, ...incidentWide] : incidentWide,
        }),
  };
}

/** Instatus links an incident in `url`, for errors to name when the payload has no `shortlink`. */
export const shortlinkField = (source: Record<string, unknown>): Record<string, string> =>
  source.shortlink === undefined ? { shortlink: 'url' } : {};

/** `list` with `each` applied to its objects; anything else as it was, for the schema to refuse. */
export function mapList(list: unknown, each: (item: Json, index: number) => Json): unknown {
  return Array.isArray(list) ? list.map((item, index) => (isObject(item) ? each(item, index) : item)) : list;
}

/** Milliseconds since the epoch of a vendor's time, NaN when it is none. */
export const timeOf = (value: unknown) => (typeof value === 'string' ? Date.parse(value) : Number.NaN);

/** The newest of a vendor's updates by `created_at` (the first of equals): the one that notifies. */
export function newestOf(updates: unknown): Json | undefined {
  if (!Array.isArray(updates)) return undefined;
  let newest: Json | undefined;
  for (const update of updates)
    if (isObject(update) && (!newest || timeOf(update.created_at) > timeOf(newest.created_at)))
      newest = update;
  return newest;
}

const PHASES = ['scheduled', 'in_progress', 'completed'];

/**
 * Each maintenance update's phase, for updates that carry none (Instatus's real maintenance updates,
 * Better Stack's): the newest takes the maintenance's own status when it has one, as that is its status
 * now; the others take the phase of the window they were written in (before it: scheduled; during: in
 * progress; after: completed), never past the maintenance's own status (a window run over is still in
 * progress). With neither a window nor a status, an update is scheduled.
 */
export function maintenancePhases(
  updates: unknown,
  window: { startsAt: number; endsAt: number },
  status: string | undefined,
  table: Record<string, string>,
): unknown {
  const newest = newestOf(updates);
  const cap = status !== undefined && PHASES.includes(status) ? PHASES.indexOf(status) : PHASES.length - 1;
  const phaseAt = (at: number) => {
    if (Number.isNaN(window.startsAt)) return status ?? 'scheduled';
    const phase = !(at >= window.startsAt) ? 0 : at >= window.endsAt ? 2 : 1;
    return PHASES[Math.min(phase, cap)] as string;
  };
  return mapList(updates, (update) => ({
    ...update,
    status:
      statusWord(table, update.status) ??
      (update === newest && status !== undefined ? status : phaseAt(timeOf(update.created_at))),
  }));
}
