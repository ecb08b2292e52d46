import { describe, expect, it } from 'vitest';
import { threadSubject } from '../../shared/domain/incident';
import { wholeMail } from '../../shared/domain/render';
import { encodeWord, listIdHeader } from '../../shared/domain/threading';
import { markdownishToHtml, markdownishToText } from '../../shared/templates/markdownish';
import {
  formatTime,
  renderFooter,
  renderNotification,
  windowLine,
} from '../../shared/templates/notification';
import { chatMessagesMayFail } from '../fixtures/seeds';
import { incidentRecord, incidentUpdate } from '../support/records';

const incident = incidentRecord({
  incidentId: 'statuspage:page:inc9',
  upstreamId: 'inc9',
  status: 'resolved',
  shortlink: 'https://stspg.io/abc',
  componentIds: ['c1'],
  subject: 'Chat messages may fail to deliver',
  updatedAt: '2025-08-06T14:54:00.000Z',
});
const update = (id: string, status: string, at: string, body: string) =>
  incidentUpdate(incident, id, status, at, body);
const investigating = update('u1', 'investigating', '2025-08-06T14:14:00.000Z', 'Looking into it.');
const resolved = update('u2', 'resolved', '2025-08-06T14:54:00.000Z', 'Fixed.');

describe('the notification', () => {
  const content = renderNotification({
    incident,
    update: resolved,
    updates: [investigating, resolved],
    affected: [{ region: 'Prod1 (US)', components: ['Channel - Chat', 'Channel - Email'] }],
    pageName: 'Kustomer',
    timeZone: 'America/New_York',
  });
  const page = wholeMail(content).html;

  it('reads as a person would title it: the page, then the incident, with no ids', () => {
    expect(content.subject).toBe('[Kustomer] Chat messages may fail to deliver');
  });

  it('says the state and impact in words, not only in colour', () => {
    expect(page).toMatch(/background:#15803d;[^>]*>Resolved</);
    expect(page).toContain('>Major impact<');
    expect(wholeMail(content).text).toContain('Resolved · Major impact');
  });

  it('groups affected components by region and gives times in UTC and the page time zone', () => {
    expect(content.text).toContain('Affected: Prod1 (US): Channel - Chat, Channel - Email');
    expect(content.text).toContain('Resolved (2025-08-06 14:54 UTC (10:54 EDT))');
    expect(page).toContain('<li>Prod1 (US): Channel - Chat, Channel - Email</li>');
  });

  it('is a readable, accessible page in light and dark schemes', () => {
    expect(page).toMatch(/^<!doctype html>\s*<html lang="en">/);
    expect(page).toContain('name="color-scheme" content="light dark"');
    expect(page).toContain('@media (prefers-color-scheme: dark)');
    expect(page).not.toContain('<img');
    expect(page).toContain('href="https://stspg.io/abc"');
  });

  it('shows a maintenance window', () => {
    const incidentWindow = {
      scheduledFor: '2025-09-01T02:00:00.000Z',
      scheduledUntil: '2025-09-01T04:00:00.000Z',
    };
    const maintenance = renderNotification({
      incident: { ...incident, impact: 'maintenance', ...incidentWindow },
      update: update('m1', 'scheduled', '2025-08-25T10:00:00.000Z', 'Database upgrade.'),
      updates: [],
      affected: [],
    });
    const { text } = wholeMail(maintenance);
    expect(text).toContain('Scheduled maintenance · Maintenance');
    expect(text).toContain('Maintenance window: 2025-09-01 02:00 UTC to 2025-09-01 04:00 UTC');
    // A recipient with a time zone of their own reads the window in it, beside UTC.
    const inBerlin = wholeMail(maintenance, undefined, windowLine(incidentWindow, 'Europe/Berlin'));
    expect(inBerlin.text).toContain(
      'Maintenance window: 2025-09-01 02:00 UTC (04:00 GMT+2) to 2025-09-01 04:00 UTC (06:00 GMT+2)',
    );
    expect(inBerlin.html).toContain('02:00 UTC (04:00 GMT+2)');
  });

  it('keeps a long postmortem whole and renders its markdown-ish text', () => {
    const body = chatMessagesMayFail.postmortem.body.repeat(20);
    const postmortem = renderNotification({
      incident,
      update: update('postmortem', 'postmortem', '2025-09-07T16:57:00.000Z', body),
      updates: [],
      affected: [],
    });
    expect(postmortem.text).toContain(markdownishToText(body));
    expect(postmortem.htmlBefore).toContain('<p style="margin:16px 0 4px;font-weight:700">Summary</p>');
  });

  // Found by the property suite (test/unit/properties/html.test.ts): Object.prototype's entries were looked up.
  it('labels a status or impact named like an Object property as it is named', () => {
    const content = renderNotification({
      incident: { ...incident, impact: 'constructor' },
      update: update('u3', 'toString', '2025-08-06T15:00:00.000Z', 'Odd status.'),
      updates: [],
      affected: [],
    });
    const whole = wholeMail(content);
    expect(whole.text).toContain('ToString · constructor impact'); // was "undefined · undefined"
    expect(whole.html).not.toContain('undefined');
  });
});

describe('markdown-ish text', () => {
  it('renders headings, bold, bullets and links, and nothing else', () => {
    const rendered = markdownishToHtml(
      '## **Timeline** Events\n\n* **8/6 9:51 am**: alerts\n* rollback <done>\n\nSee https://status.example.com/x?a=1&b=2.\n\n<script>x</script> [a](javascript:alert(1))',
    ).value;
    expect(rendered).toContain(
      '<p style="margin:16px 0 4px;font-weight:700">Timeline</p><p style="margin:0 0 12px">Events</p>',
    );
    expect(rendered).toContain(
      '<li><strong>8/6 9:51 am</strong>: alerts</li><li>rollback &#60;done&#62;</li>',
    );
    expect(rendered).toContain('<a href="https://status.example.com/x?a=1&#38;b=2"');
    expect(rendered).not.toContain('<script>');
    expect(rendered).not.toContain('href="javascript');
  });
});

describe('headers and footers', () => {
  it('names the list after the page, encoding what is not ASCII', () => {
    expect(listIdHeader('zt2xw0cbdp1v', 'Kustomer', 'notifier.example.com')).toEqual({
      name: 'List-Id',
      value: 'Kustomer status <zt2xw0cbdp1v.status.notifier.example.com>',
    });
    expect(encodeWord('Zürich status')).toBe(
      `=?UTF-8?B?${Buffer.from('Zürich status').toString('base64')}?=`,
    );
    expect(encodeWord('Evil\r\nBcc: x@y')).not.toMatch(/[\r\n]/);
    expect(encodeWord('Acme, Inc.')).toBe('"Acme, Inc."');
    expect(encodeWord('=?UTF-8?B?aGk=?=')).toMatch(/^=\?UTF-8\?B\?/); // not passed through as an encoded word
    const long = encodeWord('Kundenstatus der Zürcher Verkehrsbetriebe und Umgebung für alle Linien');
    expect(long.split(' ').every((word) => word.length <= 75)).toBe(true);
    const decoded = long
      .split(' ')
      .map((word) => Buffer.from(word.slice(10, -2), 'base64').toString('utf8'))
      .join('');
    expect(decoded).toBe('Kundenstatus der Zürcher Verkehrsbetriebe und Umgebung für alle Linien');
  });

  // Found by the property suite (test/unit/properties/headers.test.ts): half an emoji became U+FFFD.
  it('cuts a long page name or incident title on a whole character', () => {
    const name = `${'a'.repeat(58)}😀 and the rest`;
    const [phrase] = listIdHeader('p1', name, 'example.com').value.split(' <');
    const shown = (phrase ?? '')
      .split(' ')
      .map((word) => Buffer.from(word.slice(10, -2), 'base64').toString('utf8'))
      .join('');
    expect(shown).toBe(`${'a'.repeat(58)}… status`);
    const subject = threadSubject(`${'a'.repeat(178)}😀 and the rest`);
    expect(subject).toBe(`${'a'.repeat(178)}…`);
  });

  it('tells each recipient why they get the mail, with their own links', () => {
    const footer = renderFooter({
      reason: 'Channel - Chat in Prod1 (US) (Kustomer)',
      unsubscribeUrl: 'https://x/v1/unsubscribe?token=a',
      preferencesUrl: 'https://x/v1/preferences?token=a',
    });
    expect(footer.text).toContain(
      'You receive this because you follow Channel - Chat in Prod1 (US) (Kustomer).',
    );
    expect(footer.html).toContain('href="https://x/v1/unsubscribe?token=a"');
  });

  it('formats times in UTC when the time zone is unknown', () => {
    expect(formatTime('2025-05-14T17:35:00.000Z', 'Not/AZone')).toBe('2025-05-14 17:35 UTC');
  });
});
