import { describe, expect, it } from 'vitest';
import {
  confirmTokenMatches,
  createConfirmToken,
  createIssuedManageToken,
  createManageToken,
  manageTokenMatches,
  parseLinkToken,
} from '../../shared/domain/link-tokens';
import { wholeMail } from '../../shared/domain/render';
import { secretsEqual } from '../../shared/domain/secrets-equal';
import {
  assertHeaderSafe,
  incidentRootId,
  listUnsubscribeHeaders,
  threadHeaders,
} from '../../shared/domain/threading';
import { escapeHtml, safeHttpUrl } from '../../shared/templates/html';
import { renderNotification } from '../../shared/templates/notification';
import { incidentRecord, incidentUpdate } from '../support/records';

const incident = incidentRecord({
  name: '<script>alert(1)</script> Chat & "email"',
  shortlink: 'javascript:alert(1)',
  subject: 'Chat down [inc1]',
});
const update = (id: string, status: string, at: string, body: string) =>
  incidentUpdate(incident, id, status, at, body);
const first = update('u1', 'investigating', '2025-08-06T14:14:00.000Z', 'Looking into <b>it</b>');
const second = update('u2', 'identified', '2025-08-06T14:29:00.000Z', 'Found it.\n\nFixing {{now}}');

describe('threading', () => {
  it('gives every incident its own deterministic root id', () => {
    expect(incidentRootId('statuspage:p:a', 'example.com')).toBe(
      incidentRootId('statuspage:p:a', 'example.com'),
    );
    expect(incidentRootId('statuspage:p:a', 'example.com')).not.toBe(
      incidentRootId('statuspage:p:b', 'example.com'),
    );
    expect(incidentRootId('statuspage:p:a', 'example.com')).toMatch(
      /^<incident\.[0-9a-f]{32}@example\.com>$/,
    );
  });

  it('references the root, then also the first mail the recipient got', () => {
    expect(threadHeaders('<root@x>', undefined)).toEqual([
      { name: 'In-Reply-To', value: '<root@x>' },
      { name: 'References', value: '<root@x>' },
    ]);
    expect(threadHeaders('<root@x>', '<first@ses>')).toEqual([
      { name: 'In-Reply-To', value: '<first@ses>' },
      { name: 'References', value: '<root@x> <first@ses>' },
    ]);
  });

  it('offers RFC 8058 one-click unsubscribe', () => {
    expect(listUnsubscribeHeaders('https://x/u?token=t')).toEqual([
      { name: 'List-Unsubscribe', value: '<https://x/u?token=t>' },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
  });

  it('refuses a header value with a line break', () => {
    expect(() => assertHeaderSafe([{ name: 'References', value: '<a>\r\nBcc: x@y' }])).toThrow(/line break/);
  });
});

describe('renderNotification', () => {
  const content = renderNotification({ incident, update: second, updates: [second, first], affected: [] });
  const { html } = wholeMail(content);

  it('keeps the incident subject', () => {
    expect(content.subject).toBe('Chat down [inc1]');
  });

  it('escapes every piece of webhook text in HTML', () => {
    expect(html).not.toContain('<script>');
    expect(html).toContain(escapeHtml('<script>alert(1)</script> Chat & "email"'));
    expect(html).toContain('Looking into &#60;b&#62;it&#60;/b&#62;');
  });

  it('drops links that are not http(s)', () => {
    expect(html).not.toContain('javascript:');
    expect(safeHttpUrl('https://stspg.io/abc')).toBe('https://stspg.io/abc');
  });

  it('shows the newest update first, then the earlier ones as a timeline', () => {
    expect(content.text.indexOf('Found it.')).toBeLessThan(content.text.indexOf('Looking into'));
    expect(content.text).toContain('Investigating (2025-08-06 14:14 UTC)');
  });
});

describe('link tokens', () => {
  const secret = 'a'.repeat(32);

  it('verifies a manage token for its subscriber and nonce only', () => {
    const token = parseLinkToken(createManageToken(secret, 'sub-1', 'nonce-1'))!;
    expect(token).toMatchObject({ subscriberId: 'sub-1', scope: 'manage' });
    expect(manageTokenMatches(secret, token, 'nonce-1')).toBe(true);
    expect(manageTokenMatches(secret, token, 'nonce-2')).toBe(false); // replaced nonce: revoked
    expect(manageTokenMatches('b'.repeat(32), token, 'nonce-1')).toBe(false); // forged with another secret
    expect(manageTokenMatches(secret, { ...token, subscriberId: 'sub-2' }, 'nonce-1')).toBe(false);
  });

  it('verifies a manage token signed with its issue time, unless the nonce was replaced after it', () => {
    const issued = new Date('2026-11-24T09:00:00.500Z');
    const text = createIssuedManageToken(secret, 'sub-1', issued);
    const token = parseLinkToken(text)!;
    expect(token).toMatchObject({ subscriberId: 'sub-1', scope: 'manage', issuedAt: 1_795_510_800 });
    // Needs no nonce: valid for a subscriber whose nonce never changed, or changed before it was issued.
    expect(manageTokenMatches(secret, token, 'any nonce')).toBe(true);
    expect(manageTokenMatches(secret, token, 'n', '2026-11-24T08:59:59.000Z')).toBe(true);
    expect(manageTokenMatches(secret, token, 'n', '2026-11-24T09:00:00.000Z')).toBe(false); // same second
    expect(manageTokenMatches(secret, token, 'n', '2026-11-24T09:00:01.000Z')).toBe(false); // revoked
    expect(manageTokenMatches('b'.repeat(32), token, 'n')).toBe(false); // forged with another secret
    expect(manageTokenMatches(secret, { ...token, subscriberId: 'sub-2' }, 'n')).toBe(false);
    // A later issue time does not go with this signature: a revoked link cannot be moved past the rotation.
    const moved = text.replace(/\.[0-9a-z]+$/, `.${(token.issuedAt! + 3600).toString(36)}`);
    expect(manageTokenMatches(secret, parseLinkToken(moved)!, 'n', '2026-11-24T09:30:00.000Z')).toBe(false);
    for (const bad of [`${text}.x`, text.replace('.m.', '.c.'), text.replace(/[0-9a-z]+$/, 'Z!')]) {
      expect(parseLinkToken(bad)).toBeUndefined();
    }
  });

  it('keeps scopes apart and refuses malformed tokens', () => {
    const confirm = createConfirmToken('sub-1');
    const parsed = parseLinkToken(confirm.token)!;
    expect(parsed.scope).toBe('confirm');
    expect(confirmTokenMatches(parsed, confirm.hash)).toBe(true);
    expect(confirm.hash).not.toContain(parsed.secret); // only the hash is stored
    expect(manageTokenMatches(secret, parsed, 'nonce')).toBe(false);
    const manage = parseLinkToken(createManageToken(secret, 'sub-1', 'n'))!;
    expect(confirmTokenMatches(manage, confirm.hash)).toBe(false);
    for (const bad of ['garbage', 'a.b', 'sub.x.aaaaaaaaaaaaaaaaaaaaaaaa', `${confirm.token}.extra`]) {
      expect(parseLinkToken(bad)).toBeUndefined();
    }
  });

  // Found by the property suite (test/unit/properties/link-tokens.test.ts).
  it('refuses an id that moves the line between id and nonce in the signed text', () => {
    // "a" with nonce "b:c" and "a:b" with nonce "c" sign the same text, so one's link was the other's.
    const mac = createManageToken(secret, 'a', 'b:c').split('.')[2];
    expect(parseLinkToken(`a:b.m.${mac}`)).toBeUndefined();
    expect(parseLinkToken(`a b.m.${mac}`)).toBeUndefined();
  });
});

describe('secretsEqual', () => {
  it('tells apart strings that differ only in lone surrogates', () => {
    // Hashed as UTF-8 both became U+FFFD, so the two compared equal.
    expect(secretsEqual('key\ud800', 'key\udc00')).toBe(false);
    expect(secretsEqual('key\ud83d', 'key\ufffd')).toBe(false);
    expect(secretsEqual('key\ud83d', 'key\ud83d')).toBe(true);
  });
});
