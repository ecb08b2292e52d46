import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mailSubject, threadSubject } from '../../../shared/domain/incident';
import {
  assertHeaderSafe,
  encodeWord,
  incidentRootId,
  listIdHeader,
  listUnsubscribeHeaders,
  type MailHeader,
  sesMessageId,
  threadHeaders,
} from '../../../shared/domain/threading';
import { anyText } from './arbitraries';

/** Text a page owner or a webhook could send: any, plus line breaks, NUL and encoded-word look-alikes. */
const hostile = fc.oneof(
  anyText(80),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '\r\n',
          '\n',
          '\r',
          '\0',
          '\u2028',
          '\u0085',
          '=?UTF-8?B?',
          '?=',
          '"',
          '\\',
          '<',
          '>',
          '😀',
          'é',
        ),
        fc.string({ maxLength: 4 }),
      ),
      { maxLength: 12 },
    )
    .map((parts) => parts.join('')),
  // Around the List-Id name's cut (60) and the subject's (180), in characters of one and two UTF-16 units.
  fc.array(fc.constantFrom('a', 'é', '😀', ' '), { minLength: 55, maxLength: 70 }).map((cs) => cs.join('')),
  fc.array(fc.constantFrom('a', 'é', '😀', ' '), { minLength: 170, maxLength: 200 }).map((cs) => cs.join('')),
);
/** Ids from a webhook are never empty. */
const nonEmpty = hostile.filter((text) => text !== '');
/** The mail domain comes from the configured From address: a domain. */
const domain = fc.domain();

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ENCODED_WORD = /^=\?UTF-8\?B\?([A-Za-z0-9+/]*={0,2})\?=$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads an RFC 2047 phrase as a mail client does: plain, a quoted string, or encoded words. */
function decodePhrase(phrase: string): string {
  if (phrase.startsWith('"')) {
    expect(phrase).toMatch(/^"(?:[^"\\]|\\.)*"$/);
    return phrase.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  if (!phrase.includes('=?')) return phrase;
  return phrase
    .split(' ')
    .map((word) => {
      expect(word.length).toBeLessThanOrEqual(75);
      const base64 = ENCODED_WORD.exec(word)?.[1];
      expect(base64).toBeDefined();
      // Each word decodes alone: no character is split between two.
      return utf8.decode(Buffer.from(base64 ?? '', 'base64'));
    })
    .join('');
}

/** What encodeWord promises to keep: the text without control characters, trimmed, as UTF-8 can carry it. */
const kept = (text: string) =>
  text
    .replace(/\p{Cc}+/gu, ' ')
    .trim()
    .toWellFormed();
const hasReplacement = (text: string) => text.includes('\ufffd') || !text.isWellFormed();

describe('mail headers, for any input', () => {
  it('encodes any phrase as printable ASCII that decodes back (RFC 2047), in words of at most 75', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const encoded = encodeWord(text);
        expect(encoded).toMatch(PRINTABLE_ASCII);
        expect(decodePhrase(encoded)).toBe(kept(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('names the page in List-Id without a line break, cut short on a whole character', () => {
    fc.assert(
      fc.property(
        nonEmpty,
        fc.option(hostile, { nil: undefined }),
        domain,
        (pageId, pageName, mailDomain) => {
          const { name, value } = listIdHeader(pageId, pageName, mailDomain);
          expect(name).toBe('List-Id');
          expect(value).toMatch(PRINTABLE_ASCII);
          expect(value.length).toBeLessThanOrEqual(998); // one header line, as RFC 5322 allows
          const match = /^(?:(.*) )?<([a-z0-9-]+)\.status\.(.+)>$/.exec(value);
          expect(match?.[3]).toBe(mailDomain);
          const shown = match?.[1] === undefined ? undefined : decodePhrase(match[1]);
          if (shown === undefined || pageName === undefined) return;
          // A prefix of the name the page gave (whole, or cut with an ellipsis), and nothing garbled.
          const title = shown.replace(/(^| )status$/, ''); // a name of nothing but control characters: "status"
          const prefix = title.endsWith('…') && !kept(pageName).endsWith('…') ? title.slice(0, -1) : title;
          expect(kept(pageName).startsWith(kept(prefix))).toBe(true);
          if (!hasReplacement(pageName)) expect(hasReplacement(shown)).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('threads every mail of an incident on the same ids, with no line break in them', () => {
    const sesId = fc.stringMatching(/^[0-9a-f]{16}-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}-000000$/);
    fc.assert(
      fc.property(hostile, hostile, domain, fc.option(sesId, { nil: undefined }), (a, b, mailDomain, ses) => {
        const root = incidentRootId(a, mailDomain);
        expect(incidentRootId(a, mailDomain)).toBe(root);
        if (a !== b) expect(incidentRootId(b, mailDomain)).not.toBe(root);
        const first = ses === undefined ? undefined : sesMessageId(ses, 'email.amazonses.com');
        const headers = threadHeaders(root, first);
        expect(assertHeaderSafe(headers)).toEqual(headers);
        expect(headers).toEqual([
          { name: 'In-Reply-To', value: first ?? root },
          { name: 'References', value: first ? `${root} ${first}` : root },
        ]);
        for (const { value } of headers) expect(value).toMatch(/^<[^<>\s]+>( <[^<>\s]+>)?$/);
      }),
      { numRuns: 500 },
    );
  });

  it('lets no header with a line break or NUL reach SES, whatever built it', () => {
    const header = fc.record({ name: hostile, value: hostile });
    fc.assert(
      fc.property(fc.array(header, { maxLength: 4 }), fc.webUrl(), (headers, url) => {
        const all: MailHeader[] = [...headers, ...listUnsubscribeHeaders(url)];
        const unsafe = all.some((h) => /[\r\n\0]/.test(h.name + h.value));
        if (unsafe) expect(() => assertHeaderSafe(all)).toThrow(/line break/);
        else expect(assertHeaderSafe(all)).toEqual(all);
      }),
      { numRuns: 500 },
    );
  });

  it('fixes a subject per incident, and sends it under the page name, as one clean line of whole characters', () => {
    fc.assert(
      fc.property(hostile, hostile, fc.boolean(), (name, pageName, maintenance) => {
        const subject = threadSubject(name, maintenance);
        expect(threadSubject(name, maintenance)).toBe(subject);
        const sent = mailSubject(subject, pageName);
        for (const text of [subject, sent]) {
          expect(text).not.toMatch(/[\p{Cc}\p{Zl}\p{Zp}]/u);
          expect(text.trim()).not.toBe('');
          if (!hasReplacement(name) && !hasReplacement(pageName)) expect(hasReplacement(text)).toBe(false);
        }
        expect(subject.length).toBeLessThanOrEqual('Scheduled maintenance: '.length + 180);
        expect(sent.length).toBeLessThanOrEqual(subject.length + '[] '.length + 60);
        expect(sent.endsWith(subject)).toBe(true);
        if (maintenance) expect(subject).toMatch(/^Scheduled maintenance: ./);
      }),
      { numRuns: 1000 },
    );
  });
});
