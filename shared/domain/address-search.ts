import * as z from './zod';

/**
 * What a support search for an address means, decided from the term alone (trimmed and lower-cased), so
 * that each kind is one range of an index instead of a scan of every subscriber:
 * - `ali@example.com`, a whole address: that subscriber;
 * - `@example.com`: every address at that domain (not its subdomains);
 * - `ali`, `ali@exa`: the addresses that start with it; a term without `@` that has a dot
 *   (`example.com`) may be either, so it lists the domain's addresses first, then those that start with it.
 * A term no range answers is searched by a bounded scan: `*smith` (a part anywhere), `@example` (no whole
 * domain: a part), a single character (a start).
 */
export type AddressSearch =
  | { kind: 'exact'; email: string }
  | { kind: 'domain'; domain: string }
  | { kind: 'prefix'; prefix: string }
  | { kind: 'domainOrPrefix'; domain: string; prefix: string }
  | { kind: 'contains'; part: string }
  | { kind: 'startsWith'; prefix: string };

/** Addresses are filed by this many first code points: any longer prefix is one query's range. */
export const ADDRESS_START_LENGTH = 2;

const WholeAddress = z.email();

export function addressSearch(term: string): AddressSearch | undefined {
  if (term.startsWith('*')) {
    const part = term.replace(/^\*+|\*+$/g, '');
    return part ? { kind: 'contains', part } : undefined;
  }
  const at = term.indexOf('@');
  if (at === 0) {
    const domain = term.slice(1);
    // A domain has a dot: `@example` is the start of many domains, searched as a part.
    return looksLikeDomain(domain) ? { kind: 'domain', domain } : { kind: 'contains', part: term };
  }
  if (at > 0) {
    return WholeAddress.safeParse(term).success
      ? { kind: 'exact', email: term }
      : { kind: 'prefix', prefix: term };
  }
  if (codePoints(term) < ADDRESS_START_LENGTH) return { kind: 'startsWith', prefix: term };
  return looksLikeDomain(term)
    ? { kind: 'domainOrPrefix', domain: term, prefix: term }
    : { kind: 'prefix', prefix: term };
}

/** What an address or a prefix (of at least ADDRESS_START_LENGTH code points) is filed under. */
export function addressStart(text: string): string {
  return Array.from(text).slice(0, ADDRESS_START_LENGTH).join('');
}

export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}

/** Whether an address is one a search finds: a stale index entry (changed, erased) is checked again. */
export function addressMatches(search: AddressSearch | undefined, email: string): boolean {
  if (!search) return true;
  switch (search.kind) {
    case 'exact':
      return email === search.email;
    case 'domain':
      return domainOf(email) === search.domain;
    case 'prefix':
    case 'startsWith':
      return email.startsWith(search.prefix);
    case 'domainOrPrefix':
      return domainOf(email) === search.domain || email.startsWith(search.prefix);
    case 'contains':
      return email.includes(search.part);
  }
}

function looksLikeDomain(text: string): boolean {
  return text.includes('.') && !text.includes('@') && !text.startsWith('.') && !text.endsWith('.');
}

function codePoints(text: string): number {
  return Array.from(text).length;
}
