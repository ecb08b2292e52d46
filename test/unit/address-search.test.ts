import { describe, expect, it } from 'vitest';
import { addressMatches, addressSearch, addressStart } from '../../shared/domain/address-search';

describe('addressSearch', () => {
  it('reads a search term as a whole address, a domain, the start of an address, or a part', () => {
    expect(addressSearch('ali@example.com')).toEqual({ kind: 'exact', email: 'ali@example.com' });
    expect(addressSearch('@example.com')).toEqual({ kind: 'domain', domain: 'example.com' });
    expect(addressSearch('example.com')).toEqual({
      kind: 'domainOrPrefix',
      domain: 'example.com',
      prefix: 'example.com',
    });
    expect(addressSearch('ali')).toEqual({ kind: 'prefix', prefix: 'ali' });
    expect(addressSearch('ali@exa')).toEqual({ kind: 'prefix', prefix: 'ali@exa' });
    expect(addressSearch('*smith')).toEqual({ kind: 'contains', part: 'smith' });
    expect(addressSearch('*smith*')).toEqual({ kind: 'contains', part: 'smith' });
    expect(addressSearch('**')).toBeUndefined();
    // No whole domain after the @, one character: not what an index range answers.
    expect(addressSearch('@example')).toEqual({ kind: 'contains', part: '@example' });
    expect(addressSearch('@')).toEqual({ kind: 'contains', part: '@' });
    expect(addressSearch('a')).toEqual({ kind: 'startsWith', prefix: 'a' });
    expect(addressSearch('.com')).toEqual({ kind: 'prefix', prefix: '.com' });
  });

  it('files an address by its first two characters, counting code points', () => {
    expect(addressStart('alice@example.com')).toBe('al');
    expect(addressStart('a@x.io')).toBe('a@');
    expect(addressStart('😀😁x')).toBe('😀😁');
  });

  it('checks an address read back against the search', () => {
    expect(addressMatches(addressSearch('@example.com'), 'ali@example.com')).toBe(true);
    expect(addressMatches(addressSearch('@example.com'), 'ali@sub.example.com')).toBe(false);
    expect(addressMatches(addressSearch('example.com'), 'example.company@x.io')).toBe(true);
    expect(addressMatches(addressSearch('ali'), 'bali@example.com')).toBe(false);
    expect(addressMatches(addressSearch('*ali'), 'bali@example.com')).toBe(true);
    expect(addressMatches(undefined, 'anyone@example.com')).toBe(true);
  });
});
