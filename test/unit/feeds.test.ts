import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maintenancesCalendar } from '../../shared/domain/calendar';
import type { PageCatalog, PageView } from '../../shared/domain/catalog';
import {
  calledOff,
  feedFileOf,
  feedPath,
  feedTopicKeys,
  inFeed,
  narrowingOfTopics,
  narrowingProblem,
} from '../../shared/domain/feeds';
import { componentTopicKey, pageTopicKey, regionTopicKey } from '../../shared/domain/topics';
import { conditionalGet } from '../../shared/http/conditional';
import { entryContent, xmlSafe } from '../../shared/templates/feeds/feed-view';
import { jsonFeed } from '../../shared/templates/feeds/json-feed';

const catalog: PageCatalog = {
  page: { pageId: 'p', name: 'Acme' },
  groups: [
    { pageId: 'p', groupId: 'us', name: 'US' },
    { pageId: 'p', groupId: 'eu', name: 'EU' },
  ],
  components: [
    { pageId: 'p', componentId: 'us-chat', name: 'Chat', groupId: 'us' },
    { pageId: 'p', componentId: 'us-mail', name: 'Mail', groupId: 'us' },
    { pageId: 'p', componentId: 'eu-chat', name: 'Chat', groupId: 'eu' },
    { pageId: 'p', componentId: 'api', name: 'API' },
  ],
};
const view: PageView = {
  id: 'p',
  name: 'Acme',
  regions: [
    {
      id: 'us',
      name: 'US',
      components: [
        { id: 'us-chat', name: 'Chat' },
        { id: 'us-mail', name: 'Mail' },
      ],
    },
    { id: 'eu', name: 'EU', components: [{ id: 'eu-chat', name: 'Chat' }] },
  ],
  components: [{ id: 'api', name: 'API' }],
};

describe('feeds', () => {
  it('reads a feed’s name as page and format, and nothing else', () => {
    expect(feedFileOf('zt2xw0cbdp1v.atom')).toEqual({ pageId: 'zt2xw0cbdp1v', format: 'atom' });
    expect(feedFileOf('a.b.ics')).toEqual({ pageId: 'a.b', format: 'ics' });
    for (const name of ['p.xml', 'p', '.rss', 'p.atom.', 'p.ATOM']) expect(feedFileOf(name)).toBeUndefined();
  });

  it('narrows as mail matches: an incident is in a feed exactly when a follower of its topics hears of it', () => {
    const component = fc.constantFrom('us-chat', 'us-mail', 'eu-chat', 'api', 'gone');
    fc.assert(
      fc.property(
        fc.uniqueArray(component),
        fc.uniqueArray(fc.constantFrom<string>('us', 'eu')),
        fc.uniqueArray(component.filter((c) => c !== 'gone')),
        (incidentComponents, regions, components) => {
          const incident = { pageId: 'p', componentIds: incidentComponents };
          const wanted = new Set([
            ...components,
            ...catalog.components
              .filter((c) => c.groupId && regions.includes(c.groupId))
              .map((c) => c.componentId),
          ]);
          const expected =
            (regions.length === 0 && components.length === 0) ||
            incidentComponents.length === 0 ||
            incidentComponents.some((id) => wanted.has(id));
          expect(inFeed(incident, catalog, feedTopicKeys('p', { regions, components }))).toBe(expected);
        },
      ),
    );
  });

  it('names what a page does not have', () => {
    expect(narrowingProblem('p', { regions: ['us'], components: ['api'] }, catalog)).toBeUndefined();
    expect(narrowingProblem('p', { regions: ['mars'], components: [] }, catalog)).toBe(
      'The status page p has no region mars.',
    );
    expect(narrowingProblem('p', { regions: [], components: ['x'] }, catalog)).toBe(
      'The status page p has no component x.',
    );
  });

  it('links the feed of what is ticked: regions, and components outside them, in one order', () => {
    const ticked = [
      regionTopicKey('p', 'us'),
      componentTopicKey('p', 'us-chat'),
      componentTopicKey('p', 'api'),
    ];
    expect(feedPath('p', 'rss', narrowingOfTopics(view, ticked))).toBe(
      '/feeds/p.rss?region=us&component=api',
    );
    expect(feedPath('p', 'atom', narrowingOfTopics(view, [...ticked, pageTopicKey('p')]))).toBe(
      '/feeds/p.atom',
    );
    expect(feedPath('p', 'ics', narrowingOfTopics(view, []))).toBe('/feeds/p.ics');
  });

  it('cancels a maintenance that closed before its window began, not one that ran', () => {
    const window = { scheduledFor: '2026-12-20T02:00:00Z' };
    expect(calledOff({ ...window, status: 'completed', updatedAt: '2026-12-19T10:00:00Z' })).toBe(true);
    expect(calledOff({ ...window, status: 'completed', updatedAt: '2026-12-20T03:00:00Z' })).toBe(false);
    expect(calledOff({ ...window, status: 'scheduled', updatedAt: '2026-12-19T10:00:00Z' })).toBe(false);
  });

  it('keeps XML and JSON readable whatever bytes a webhook sent', () => {
    expect(xmlSafe('a\u0000b\u0007c\td\ne\uD800f\uFFFEg😀')).toBe('abc\td\nefg😀');
    const entry = { id: 'tag:x,2026:a/b', title: 'T\uD800', url: 'https://x', published: '', updated: '' };
    const json = jsonFeed({
      id: 'tag:x,2026:f',
      title: 'Acme\u0000',
      selfUrl: 'https://x/f',
      homeUrl: 'https://x',
      author: 'Acme',
      updated: '',
      entries: [{ ...entry, html: '<p>\uDC00</p>', text: 'x\u0007', components: [] }],
    });
    expect(json).not.toMatch(/\\u(d[89a-f]|00)/i);
    expect(JSON.parse(json).items[0]).toMatchObject({
      title: 'T',
      content_html: '<p></p>',
      content_text: 'x',
    });
  });

  it('cuts a very long update at a word, pointing to the whole of it', () => {
    const body = 'word '.repeat(5_000);
    const { text } = entryContent({ body, status: 'Resolved', components: [], url: 'https://stspg.io/x' });
    expect(text.length).toBeLessThan(8_200);
    expect(text).toContain('… (the whole update: https://stspg.io/x)');
  });

  it('writes a valid calendar with no window in it', () => {
    const calendar = maintenancesCalendar([], { name: 'Acme status: maintenance', domain: 'x' });
    expect(calendar).toContain('BEGIN:VTIMEZONE\r\nTZID:UTC');
    expect(calendar).not.toContain('VEVENT');
  });
});

describe('conditional GETs', () => {
  const document = {
    body: '<feed/>',
    contentType: 'application/atom+xml',
    lastModified: new Date('2026-12-01T10:00:00.500Z'),
  };
  const first = conditionalGet({}, document, 'public, max-age=60');
  const etag = String(first.headers?.etag);

  it('answers 200 with validators, then 304 to a reader whose copy is current', () => {
    expect(first).toMatchObject({ statusCode: 200, body: '<feed/>' });
    expect(first.headers?.['last-modified']).toBe('Tue, 01 Dec 2026 10:00:00 GMT');
    expect(conditionalGet({ 'if-none-match': etag }, document, 'x').statusCode).toBe(304);
    expect(conditionalGet({ 'if-none-match': `"a", W/${etag}` }, document, 'x').statusCode).toBe(304);
    expect(
      conditionalGet({ 'if-modified-since': 'Tue, 01 Dec 2026 10:00:00 GMT' }, document, 'x').statusCode,
    ).toBe(304);
  });

  it('sends the document when anything differs, and lets If-None-Match decide over the date', () => {
    expect(conditionalGet({ 'if-none-match': '"other"' }, document, 'x').statusCode).toBe(200);
    expect(
      conditionalGet({ 'if-modified-since': 'Tue, 01 Dec 2026 09:59:59 GMT' }, document, 'x').statusCode,
    ).toBe(200);
    expect(
      conditionalGet(
        { 'if-none-match': '"other"', 'if-modified-since': 'Wed, 02 Dec 2026 00:00:00 GMT' },
        document,
        'x',
      ).statusCode,
    ).toBe(200);
    expect(conditionalGet({ 'if-modified-since': 'not a date' }, document, 'x').statusCode).toBe(200);
    expect(
      conditionalGet({ 'if-none-match': etag }, { ...document, body: '<feed></feed>' }, 'x').statusCode,
    ).toBe(200);
  });

  it('never dates a document later than now', () => {
    const future = { ...document, lastModified: new Date('2099-01-01T00:00:00Z') };
    const answer = conditionalGet({}, future, 'x');
    expect(Date.parse(String(answer.headers?.['last-modified']))).toBeLessThanOrEqual(Date.now());
  });
});
