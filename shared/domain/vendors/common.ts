import * as z from 'zod';
import { StatuspageWebhook } from '../statuspage';

/*
 * Instatus and Better Stack post Statuspage-shaped webhooks with their own differences. Each vendor's
 * module maps its payload onto Statuspage's shape, and Statuspage's schema then validates it: one set of
 * limits and one ingest for every source. The mapping runs before validation, so it only renames and
 * translates what it finds and leaves anything unexpected for the schema to refuse, with the vendor's own
 * field names in the error.
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
  return z
    .record(z.string(), z.unknown(), { error: 'body must be a JSON object' })
    .transform((body, ctx): StatuspageWebhook | IgnoredWebhook => {
      const mapping = map(body);
      if (mapping.kind === 'ignored') return mapping;
      const parsed = StatuspageWebhook.safeParse(mapping.payload);
      if (parsed.success) return parsed.data;
      const names = mapping.fieldNames ?? {};
      const rename = (field: PropertyKey) =>
        typeof field === 'string' && Object.hasOwn(names, field) ? (names[field] as string) : field;
      for (const issue of parsed.error.issues)
        ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path.map(rename) });
      return z.NEVER;
    });
}

/** A maintenance is mapped onto Statuspage's incident: errors name the vendor's fields. */
export const MAINTENANCE_FIELDS = { incident: 'maintenance', incident_updates: 'maintenance_updates' };

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Vendors write ids as numbers too: kept as the string they spell. */
export const idText = (value: unknown) => (typeof value === 'number' ? String(value) : value);

/** A vendor's word translated by `table` (case-insensitive), else lower-cased, else left for the schema. */
export function translated(table: Record<string, string>, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const key = value.toUpperCase().replace(/[^A-Z]/g, '');
  return Object.hasOwn(table, key) ? table[key] : value.toLowerCase();
}

/** `list` with `each` applied to its objects; anything else as it was, for the schema to refuse. */
export function mapList(list: unknown, each: (item: Json, index: number) => Json): unknown {
  return Array.isArray(list) ? list.map((item, index) => (isObject(item) ? each(item, index) : item)) : list;
}
