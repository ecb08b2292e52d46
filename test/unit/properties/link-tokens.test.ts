import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  confirmTokenMatches,
  createConfirmToken,
  createManageToken,
  type LinkScope,
  manageTokenMatches,
  parseLinkToken,
} from '../../../shared/domain/link-tokens';
import { secretsEqual } from '../../../shared/domain/secrets-equal';

/** A subscriber as the self-service use-case checks a link against one: its nonce, its confirm hash. */
interface Holder {
  id: string;
  nonce: string;
  confirmHash?: string;
}

/** How self-service verifies a link: parse, look the named subscriber up, compare (link-pages' `verified`). */
function verifies(
  serverSecret: string,
  token: string,
  scope: LinkScope,
  directory: readonly Holder[],
): boolean {
  const parsed = parseLinkToken(token);
  const holder = parsed?.scope === scope ? directory.find((h) => h.id === parsed.subscriberId) : undefined;
  if (!parsed || !holder) return false;
  return scope === 'manage'
    ? manageTokenMatches(serverSecret, parsed, holder.nonce)
    : confirmTokenMatches(parsed, holder.confirmHash);
}

const serverSecret = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 1 }),
);
/** Subscriber ids are UUIDs; a link names one in letters, digits, `-` and `_`. */
const subscriberId = fc.oneof(fc.uuid(), fc.stringMatching(/^[\w-]{1,40}$/));
/** Nonces as `newNonce` makes them (16 bytes, base64url), or any text. */
const nonce = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
  fc.string({ minLength: 1, maxLength: 30 }),
);
/** A different character for position `i` of `text`: from the token's own alphabet, or any. */
const TOKEN_CHARS = [...'abcdefABCDEF0123456789-_.:m c', '\u0000', '\u00e9', '\ud83d'];
const otherChar = (text: string, i: number, pick: number) => {
  const choices = TOKEN_CHARS.filter((c) => c !== text[i]);
  return choices[pick % choices.length] as string;
};

describe('link tokens, for any subscriber', () => {
  it('verify for the subscriber, nonce and purpose they were made for', () => {
    fc.assert(
      fc.property(serverSecret, subscriberId, nonce, (secret, id, linkNonce) => {
        const manage = createManageToken(secret, id, linkNonce);
        const confirm = createConfirmToken(id);
        const directory = [{ id, nonce: linkNonce, confirmHash: confirm.hash }];
        expect(verifies(secret, manage, 'manage', directory)).toBe(true);
        expect(verifies(secret, confirm.token, 'confirm', directory)).toBe(true);
        // Not for the other purpose.
        expect(verifies(secret, manage, 'confirm', directory)).toBe(false);
        expect(verifies(secret, confirm.token, 'manage', directory)).toBe(false);
        // The matchers check the purpose themselves too: a right secret under the other scope is refused.
        const [manageParsed, confirmParsed] = [parseLinkToken(manage), parseLinkToken(confirm.token)];
        if (!manageParsed || !confirmParsed) throw new Error('a fresh token parses');
        expect(manageTokenMatches(secret, { ...manageParsed, scope: 'confirm' }, linkNonce)).toBe(false);
        expect(confirmTokenMatches({ ...confirmParsed, scope: 'manage' }, confirm.hash)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('fail after any change of one character, an insertion, a deletion or a truncation', () => {
    const edit = fc.tuple(fc.constantFrom('replace', 'insert', 'delete', 'truncate'), fc.nat(), fc.nat());
    fc.assert(
      fc.property(
        serverSecret,
        subscriberId,
        nonce,
        fc.boolean(),
        edit,
        (secret, id, linkNonce, manage, change) => {
          const confirm = createConfirmToken(id);
          const token = manage ? createManageToken(secret, id, linkNonce) : confirm.token;
          const [kind, at, pick] = change;
          const i = at % token.length;
          const changed =
            kind === 'replace'
              ? token.slice(0, i) + otherChar(token, i, pick) + token.slice(i + 1)
              : kind === 'insert'
                ? token.slice(0, i) + otherChar(token, i, pick) + token.slice(i)
                : kind === 'delete'
                  ? token.slice(0, i) + token.slice(i + 1)
                  : token.slice(0, i);
          fc.pre(changed !== token); // inserting a character next to the same one may give the token back
          // The worst case: whoever the changed token names holds the same nonce (a hash is per token).
          const named = parseLinkToken(changed)?.subscriberId;
          const directory: Holder[] = [
            { id, nonce: linkNonce, confirmHash: confirm.hash },
            ...(named && named !== id ? [{ id: named, nonce: linkNonce }] : []),
          ];
          expect(verifies(secret, changed, manage ? 'manage' : 'confirm', directory)).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('made for one subscriber and nonce, verify for no other, even where ids and nonces share separators', () => {
    // Pairs that differ only in where one string ends and the next begins: "a" + "b:c" and "a:b" + "c".
    const part = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !s.includes('.'));
    const shifted = fc
      .tuple(part, part, part, fc.constantFrom(':', '', '-'))
      .map(([a, b, c, glue]): [Holder, Holder] => [
        { id: a, nonce: `${b}${glue}${c}` },
        { id: `${a}${glue}${b}`, nonce: c },
      ]);
    const anyId = fc.oneof(subscriberId, part);
    const any = fc.tuple(fc.record({ id: anyId, nonce }), fc.record({ id: anyId, nonce }));
    fc.assert(
      fc.property(serverSecret, fc.oneof(shifted, any), (secret, [first, other]) => {
        fc.pre(first.id !== other.id || first.nonce !== other.nonce);
        const mac = createManageToken(secret, first.id, first.nonce).split('.').at(-1);
        // The first one's token, with the other's id put in its place.
        const forged = `${other.id}.m.${mac}`;
        expect(verifies(secret, forged, 'manage', [{ id: other.id, nonce: other.nonce }])).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('secretsEqual, for any strings', () => {
  // Near misses too: the same text with one character changed, lone surrogates included.
  // Any code points, and UTF-16 units on their own (lone surrogates), which fast-check's strings lack.
  const unit = fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
  );
  const text = fc.array(unit, { maxLength: 30 }).map((units) => units.join(''));
  const pair = fc.oneof(
    fc.tuple(text, text),
    text.map((a) => [a, a] as [string, string]),
    fc
      .tuple(text, fc.nat(), fc.constantFrom('a', 'b', '\ud800', '\udc00', '\ud83d', '\ufffd', '\u0000'))
      .map(([a, at, c]) => {
        const i = a.length ? at % a.length : 0;
        return [a, a.slice(0, i) + c + a.slice(i + 1)] as [string, string];
      }),
  );

  it('is true exactly when the strings are the same, whatever their lengths, and symmetric', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        expect(secretsEqual(a, b)).toBe(a === b);
        expect(secretsEqual(b, a)).toBe(a === b);
      }),
      { numRuns: 1000 },
    );
  });
});
