import { describe, expect, it } from 'vitest';
import type { Incident, IncidentUpdate } from '../../shared/domain/incident';
import { createLinkToken, verifyLinkToken } from '../../shared/domain/link-tokens';
import { escapeHtml, renderNotification, safeHttpUrl } from '../../shared/domain/render';
import {
  assertHeaderSafe,
  incidentRootId,
  listUnsubscribeHeaders,
  threadHeaders,
} from '../../shared/domain/threading';

const incident: Incident = {
  incidentId: 'statuspage:page:inc1',
  source: 'statuspage',
  upstreamId: 'inc1',
  pageId: 'page',
  name: '<script>alert(1)</script> Chat & "email"',
  status: 'identified',
  impact: 'major',
  shortlink: 'javascript:alert(1)',
  componentIds: [],
  subject: 'Chat down [inc1]',
  createdAt: '2025-08-06T14:14:00.000Z',
  updatedAt: '2025-08-06T14:29:00.000Z',
};
const update = (updateId: string, status: string, displayAt: string, body: string): IncidentUpdate => ({
  incidentId: incident.incidentId,
  updateId,
  kind: 'update',
  status,
  body,
  displayAt,
  affectedComponentIds: [],
  notify: true,
});
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
  const html = content.htmlBefore + content.htmlAfter;

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

  it('verifies its own tokens and refuses forged, altered or other-scope ones', () => {
    const token = createLinkToken(secret, 'unsubscribe', 'sub-1');
    expect(verifyLinkToken(secret, 'unsubscribe', token)).toBe('sub-1');
    expect(verifyLinkToken('b'.repeat(32), 'unsubscribe', token)).toBeUndefined();
    expect(verifyLinkToken(secret, 'unsubscribe', token.replace('sub-1', 'sub-2'))).toBeUndefined();
    expect(verifyLinkToken(secret, 'unsubscribe', `${token}x`)).toBeUndefined();
    expect(verifyLinkToken(secret, 'unsubscribe', 'garbage')).toBeUndefined();
  });
});
