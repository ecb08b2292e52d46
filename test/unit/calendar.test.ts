import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarSignatureMatches, calendarUrl, maintenanceCalendar } from '../../shared/domain/calendar';
import { duration } from '../../shared/usecases/maintenance-reminders';

const window = {
  incidentId: 'statuspage:page:m1',
  name: 'Database upgrade',
  status: 'scheduled',
  shortlink: 'https://stspg.io/m1',
  updatedAt: '2030-05-01T09:00:00.000Z',
  scheduledFor: '2030-05-02T22:00:00.000Z',
  scheduledUntil: '2030-05-03T00:30:00.000Z',
};

/** The file unfolded and unescaped, as a calendar reads it. */
const unfold = (ics: string) => ics.replace(/\r\n /g, '').split('\r\n');

describe('the maintenance calendar file', () => {
  it('holds one event for the window, in UTC, with the incident as its UID', () => {
    const lines = unfold(
      maintenanceCalendar(window, { title: 'T', description: 'D', domain: 'status.example.com' }),
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        'BEGIN:VCALENDAR',
        'UID:statuspage:page:m1@status.example.com',
        'DTSTART:20300502T220000Z',
        'DTEND:20300503T003000Z',
        'URL:https://stspg.io/m1',
        'END:VCALENDAR',
      ]),
    );
  });

  it('keeps any text one value: escaped, folded at 75 octets on whole characters', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.string({ maxLength: 300 }),
        (title, description) => {
          const ics = maintenanceCalendar(window, { title, description, domain: 'status.example.com' });
          const raw = ics.split('\r\n');
          expect(raw.every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
          // No character cut in half (a replacement character that was not in the text to begin with).
          if (!`${title}${description}`.includes('\uFFFD')) expect(ics).not.toContain('\uFFFD');
          const lines = unfold(ics);
          expect(lines.filter((line) => line.startsWith('SUMMARY:'))).toHaveLength(1);
          expect(lines.filter((line) => /^[A-Z-]+[:;]/.test(line) || line === '').length).toBe(lines.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('opens only through a link the notifier signed', () => {
    const secret = 's'.repeat(32);
    const url = new URL(calendarUrl('https://status.example.com', secret, 'statuspage:page:m1'));
    expect(url.pathname).toBe('/v1/calendar');
    const sig = url.searchParams.get('sig') ?? '';
    expect(calendarSignatureMatches(secret, 'statuspage:page:m1', sig)).toBe(true);
    expect(calendarSignatureMatches(secret, 'statuspage:page:m2', sig)).toBe(false);
    expect(calendarSignatureMatches('t'.repeat(32), 'statuspage:page:m1', sig)).toBe(false);
  });
});

describe('the reminder’s lead time in words', () => {
  it('rounds to five minutes, as a person would say it', () => {
    expect(duration(58 * 60_000)).toBe('1 hour');
    expect(duration(27 * 60_000)).toBe('25 minutes');
    expect(duration(95 * 60_000)).toBe('1 hour 35 minutes');
    expect(duration(60_000)).toBe('5 minutes');
    expect(duration(24 * 3_600_000)).toBe('24 hours');
  });
});
