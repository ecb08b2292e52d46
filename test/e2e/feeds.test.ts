import { randomUUID } from 'node:crypto';
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from 'feedsmith';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import { SMOKE_PAGE_ID } from '../../shared/domain/catalog';
import { type Maintenance, type MaintenancePhase, maintenanceWebhook } from '../fixtures/maintenance';
import { chatMessagesMayFail, EU_CHAT, lifecycle, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { adminCall, startTestStack } from '../support/stack';

// Feeds through the local stack: the seed incident's updates, an incident elsewhere, a page-wide one
// with hostile text and a maintenance went in as webhooks; each feed is read by libraries we did not write.
let stack: LocalStack;
const US_REGION = 'grp1produs01';
const EU_REGION = 'grp2prodeu01';
const HOSTILE = '<script>alert(1)</script> & <b>bold</b> ]]> \u0007';
const euId = `eu${randomUUID().slice(0, 8)}`;
const wideId = `all${randomUUID().slice(0, 8)}`;
const growId = `grow${randomUUID().slice(0, 8)}`;

async function webhook(body: unknown) {
  const response = await fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
}

async function apiIncident(id: string, name: string, body: string, components: string[]) {
  const answer = await adminCall(stack, 'POST', '/v1/incidents', {
    pageId: PAGE_ID,
    incident: {
      id,
      name,
      status: 'investigating',
      impact: 'major',
      createdAt: '2026-11-23T10:00:00Z',
      components,
      updates: [{ id: 'u1', status: 'investigating', body, at: '2026-11-23T10:00:00Z' }],
    },
  });
  expect(answer.status).toBe(202);
}

/** Atom's text constructs come as `{ value }` from the parser. */
const text = (construct: unknown) =>
  typeof construct === 'string' ? construct : (construct as { value?: string } | undefined)?.value;

const feed = (name: string, query = '', headers: Record<string, string> = {}) =>
  fetch(`${stack.apiUrl}/feeds/${name}${query}`, { headers });

async function feedText(name: string, query = '') {
  const response = await feed(name, query);
  expect(response.status).toBe(200);
  return response.text();
}

const maintenance: Maintenance = {
  id: `m${randomUUID().slice(0, 11)}`,
  name: 'Database upgrade',
  announcedAt: '2026-11-20T09:00:00Z',
  scheduledFor: '2026-12-20T02:00:00Z',
  scheduledUntil: '2026-12-20T04:00:00Z',
  remindPrior: false,
};
const calledOff: Maintenance = {
  ...maintenance,
  id: `m${randomUUID().slice(0, 11)}`,
  name: 'Network change',
  scheduledFor: '2026-12-22T02:00:00Z',
  scheduledUntil: '2026-12-22T03:00:00Z',
};

beforeAll(async () => {
  stack = await startTestStack('feeds');
  for (const body of lifecycle(chatMessagesMayFail)) await webhook(body);
  // A retried webhook stores nothing twice: the feed shows each update once, under the same id.
  await webhook(lifecycle(chatMessagesMayFail)[1]);
  await apiIncident(euId, 'EU chat is slow', 'Chat in Europe is slow.', [EU_CHAT]);
  await apiIncident(wideId, `Everything ${HOSTILE}`, `Text ${HOSTILE}`, []);
  // US first; a later update names EU too: EU's followers heard of the second update only.
  await apiIncident(growId, 'Chat spreads', 'US chat is slow.', [US_CHAT]);
  const spread = await adminCall(stack, 'POST', `/v1/incidents/api:${PAGE_ID}:${growId}/updates`, {
    id: 'u2',
    status: 'identified',
    body: 'EU chat is slow too.',
    at: '2026-11-23T10:30:00Z',
    components: [EU_CHAT],
  });
  expect(spread.status).toBe(202);
  await webhook(maintenanceWebhook(maintenance, 'scheduled' satisfies MaintenancePhase));
  await webhook(maintenanceWebhook(calledOff, 'scheduled'));
  // Completed before its window began: called off.
  const completedEarly = maintenanceWebhook(calledOff, 'completed');
  completedEarly.incident.updated_at = '2026-11-21T09:00:00Z';
  for (const update of completedEarly.incident.incident_updates) {
    if (update.status === 'completed')
      Object.assign(update, {
        display_at: '2026-11-21T09:00:00Z',
        created_at: '2026-11-21T09:00:00Z',
        updated_at: '2026-11-21T09:00:00Z',
      });
  }
  await webhook(completedEarly);
  await stack.waitForIdle();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

describe('feeds of a page', () => {
  it('serves Atom with one entry per notified update, newest first, escaped, with stable ids', async () => {
    const parsed = parseAtomFeed(await feedText(`${PAGE_ID}.atom`));
    expect(text(parsed.title)).toBe('Kustomer status');
    expect(parsed.authors?.[0]?.name).toBe('Kustomer');
    const entries = parsed.entries ?? [];
    const seed = entries.filter((e) => e.id?.includes(chatMessagesMayFail.id));
    // Four updates and the postmortem, once each, though one webhook came twice.
    expect(seed.map((e) => text(e.title))).toEqual([
      '[Kustomer] [CHAT] [Chat messages may fail to deliver] [Prod 1]: Postmortem',
      '[Kustomer] [CHAT] [Chat messages may fail to deliver] [Prod 1]: Resolved',
      '[Kustomer] [CHAT] [Chat messages may fail to deliver] [Prod 1]: Monitoring',
      '[Kustomer] [CHAT] [Chat messages may fail to deliver] [Prod 1]: Identified',
      '[Kustomer] [CHAT] [Chat messages may fail to deliver] [Prod 1]: Investigating',
    ]);
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    expect(entries.every((e) => e.id?.startsWith('tag:127.0.0.1,2026:'))).toBe(true);
    const dates = entries.map((e) => Date.parse(e.updated ?? ''));
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    const investigating = seed.at(-1);
    expect(investigating?.published).toBe('2025-08-06T14:14:00.000Z');
    expect(investigating?.links?.[0]?.href).toMatch(/^https:\/\//);
    expect(text(investigating?.content)).toContain('Affected: Channel - Chat in Prod1 (US)');
    // Hostile text stays text: the entry's HTML holds it escaped, never as markup.
    const wide = entries.find((e) => e.id?.includes(wideId));
    expect(text(wide?.title)).toContain('<script>alert(1)</script>');
    expect(text(wide?.content)).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(text(wide?.content)).not.toMatch(/<script|<b>/);
    expect(text(wide?.content)).not.toContain(String.fromCharCode(7));
    // A maintenance's updates are the page's too.
    expect(entries.some((e) => text(e.title)?.includes('Database upgrade'))).toBe(true);
  });

  it('serves RSS 2.0 and JSON Feed 1.1 with the same entries and ids', async () => {
    const atom = parseAtomFeed(await feedText(`${PAGE_ID}.atom`));
    const rss = parseRssFeed(await feedText(`${PAGE_ID}.rss`));
    const json = parseJsonFeed(JSON.parse(await feedText(`${PAGE_ID}.json`)));
    const ids = (atom.entries ?? []).map((e) => e.id);
    expect((rss.items ?? []).map((i) => i.guid?.value)).toEqual(ids);
    expect((json.items ?? []).map((i) => i.id)).toEqual(ids);
    expect(rss.title).toBe('Kustomer status');
    const first = rss.items?.[0];
    expect(new Date(first?.pubDate ?? '').toISOString()).toBe(
      (atom.entries?.[0]?.published ?? '').replace(/\.000Z$/, '.000Z'),
    );
    expect(json.authors?.[0]?.name).toBe('Kustomer');
    const wide = json.items?.find((i) => i.id?.includes(wideId));
    expect(wide?.content_text).toContain('<script>alert(1)</script>');
    expect(wide?.content_html).not.toContain('<script>');
  });

  it('narrows by region and component with the rules mail follows', async () => {
    const idsOf = async (query: string) =>
      (parseAtomFeed(await feedText(`${PAGE_ID}.atom`, query)).entries ?? []).map((e) => e.id ?? '');
    const us = await idsOf(`?region=${US_REGION}`);
    const eu = await idsOf(`?region=${EU_REGION}`);
    const euChat = await idsOf(`?component=${EU_CHAT}`);
    const both = await idsOf(`?component=${EU_CHAT}&component=${US_CHAT}`);
    const mentions = (ids: string[], id: string) => ids.some((entry) => entry.includes(id));
    expect(mentions(us, chatMessagesMayFail.id)).toBe(true);
    expect(mentions(us, euId)).toBe(false);
    expect(mentions(eu, euId)).toBe(true);
    expect(mentions(eu, chatMessagesMayFail.id)).toBe(false);
    expect(euChat).toEqual(eu);
    // An incident that names no component is in every feed of its page.
    for (const ids of [us, eu, euChat, both]) expect(mentions(ids, wideId)).toBe(true);
    expect(mentions(both, euId) && mentions(both, chatMessagesMayFail.id)).toBe(true);
    // Each update is in the feeds of whom it was for when it was sent, as mail matched it.
    expect(us.filter((id) => id.includes(growId)).map((id) => id.split('/').at(-1))).toEqual(['u2', 'u1']);
    expect(eu.filter((id) => id.includes(growId)).map((id) => id.split('/').at(-1))).toEqual(['u2']);
    const title = parseAtomFeed(await feedText(`${PAGE_ID}.atom`, `?component=${EU_CHAT}`)).title;
    expect(text(title)).toBe('Kustomer status: Channel - Chat in Prod2 (EU)');
  });

  it('publishes the maintenance windows as a calendar, a called-off one cancelled', async () => {
    const calendar = new ICAL.Component(ICAL.parse(await feedText(`${PAGE_ID}.ics`)));
    const events = calendar.getAllSubcomponents('vevent').map((vevent) => new ICAL.Event(vevent));
    const byName = (name: string) => events.find((e) => e.summary.includes(name));
    const upgrade = byName('Database upgrade');
    expect(upgrade?.uid).toBe(`statuspage:${PAGE_ID}:${maintenance.id}@127.0.0.1`);
    expect(upgrade?.startDate.toJSDate().toISOString()).toBe('2026-12-20T02:00:00.000Z');
    expect(upgrade?.endDate.toJSDate().toISOString()).toBe('2026-12-20T04:00:00.000Z');
    expect(upgrade?.component.getFirstPropertyValue('status')).toBeNull();
    const network = byName('Network change');
    expect(network?.component.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(Number(network?.sequence)).toBeGreaterThan(0);
    // No incident is a maintenance window.
    expect(events).toHaveLength(2);
    // Narrowed away from the maintenances' component: none.
    const eu = new ICAL.Component(ICAL.parse(await feedText(`${PAGE_ID}.ics`, `?region=${EU_REGION}`)));
    expect(eu.getAllSubcomponents('vevent')).toHaveLength(0);
  });

  it('answers conditional GETs with 304 and says how long to cache', async () => {
    const first = await feed(`${PAGE_ID}.rss`);
    const etag = first.headers.get('etag') ?? '';
    const lastModified = first.headers.get('last-modified') ?? '';
    expect(first.headers.get('cache-control')).toBe('public, max-age=60');
    expect(first.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    expect(etag).toMatch(/^".+"$/);
    expect(Date.parse(lastModified)).toBeGreaterThan(Date.parse('2026-11-21T00:00:00Z'));
    const again = await feed(`${PAGE_ID}.rss`, '', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect((await feed(`${PAGE_ID}.rss`, '', { 'if-modified-since': lastModified })).status).toBe(304);
    expect((await feed(`${PAGE_ID}.rss`, '', { 'if-none-match': '"other"' })).status).toBe(200);
    const older = new Date(Date.parse(lastModified) - 1000).toUTCString();
    expect((await feed(`${PAGE_ID}.rss`, '', { 'if-modified-since': older })).status).toBe(200);
    // Another format of the same page is another document.
    expect((await feed(`${PAGE_ID}.atom`, '', { 'if-none-match': etag })).status).toBe(200);
  });

  it('has no feeds for hidden or unknown pages, regions or components, and says so', async () => {
    const cases: Array<[string, string, RegExp]> = [
      [`${SMOKE_PAGE_ID}.atom`, '', /no status page smoke-check/],
      ['nosuchpage.rss', '', /no status page nosuchpage/],
      [`${PAGE_ID}.atom`, '?region=nowhere', /has no region nowhere/],
      [`${PAGE_ID}.json`, `?component=nothing`, /has no component nothing/],
      [`${PAGE_ID}.xml`, '', /\.atom, \.rss, \.json or \.ics/],
    ];
    for (const [name, query, words] of cases) {
      const response = await feed(name, query, { accept: 'application/json' });
      expect(response.status, name + query).toBe(404);
      const body = (await response.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(words);
    }
    const page = await feed('nosuchpage.atom', '', { accept: 'text/html' });
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('There is no status page nosuchpage here.');
  });
});
