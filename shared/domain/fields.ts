import * as z from './zod';

/*
 * The rules every input's fields share, whichever vendor or form it comes from: ids, timestamps, text
 * and list limits. Small on purpose: a function that reads no webhook loads these without the webhooks'
 * schemas.
 */

/** Any timestamp Date can read (`...-04:00` or `...Z`), normalized to UTC ISO-8601. */
export const Timestamp = z.pipe(
  z.string().check(z.refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO-8601 timestamp')),
  z.transform((value) => new Date(value).toISOString()),
);

/**
 * What one webhook may carry: far more than any real incident, and small enough that the largest
 * incident or update, in four-byte characters, still fits one DynamoDB item (400 KB): a name of 1,000
 * characters, a body or postmortem of 60,000 (240 KB), 1,000 component ids in all (in one incident,
 * as in one update) of 100 ASCII characters (100 KB).
 */
export const WEBHOOK_LIMITS = {
  idLength: 100,
  nameLength: 1_000,
  shortText: 2_000,
  bodyLength: 60_000,
  updates: 500,
  components: 1_000,
} as const;

/** 1,000 as toLocaleString('en-US') writes it, without loading ICU at cold start (12 ms). */
export const count = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
/** Text of at most `max` characters, refused in words that name the limit (the catalog import shares them). */
export const text = (max: number) => z.string().check(z.maxLength(max, `at most ${count(max)} characters`));
export const list = <T extends z.core.SomeType>(item: T, max: number, what: string) =>
  z.array(item).check(z.maxLength(max, `at most ${count(max)} ${what}`));
/** An id from the status page: a page, region, component, incident or update. */
export const Id = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(WEBHOOK_LIMITS.idLength, `at most ${WEBHOOK_LIMITS.idLength} characters`),
  );
/**
 * A page id is printable ASCII with no colon: the notifier's incident ids are `<source>:<page>:<incident>`,
 * and a colon in the page would make two incidents of two pages share one.
 */
export const PageId = Id.check(
  z.regex(/^[\x21-\x39\x3b-\x7e]*$/, 'printable ASCII characters other than ":" only'),
);
