import * as z from './zod';

/** Whether the runtime knows this IANA time zone (`Europe/Berlin`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A subscriber's time zone, as a browser names it; empty means "the status page's". */
export const TimeZone = z.string().check(
  z.trim(),
  z.maxLength(64, 'Choose a time zone from the list'),
  z.refine((zone) => zone === '' || isTimeZone(zone), 'Choose a time zone from the list'),
);

/**
 * Every zone a person can pick, for the preferences page: the runtime's canonical zones, UTC (which a
 * browser may report but the list leaves out), and the one they have if it is another alias.
 */
export function timeZoneChoices(current?: string): string[] {
  const zones = new Set(['UTC', ...Intl.supportedValuesOf('timeZone')]);
  if (current && isTimeZone(current)) zones.add(current);
  return [...zones];
}
