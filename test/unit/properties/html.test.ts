import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type IncidentUpdate, mailSubject } from '../../../shared/domain/incident';
import { wholeMail } from '../../../shared/domain/render';
import { escapeHtml, html, SafeHtml } from '../../../shared/templates/html';
import { markdownishToHtml } from '../../../shared/templates/markdownish';
import { renderFooter, renderNotification } from '../../../shared/templates/notification';
import { incidentRecord } from '../../support/records';
import { anyText } from './arbitraries';

/*
 * Whatever text a webhook, a page or a catalog brings, the HTML we render holds only the markup our
 * templates write: their tags, their attributes with their values, and links to http(s) only.
 */

const TEMPLATES = ['shared/templates/notification.ts', 'shared/templates/markdownish.ts'].map((file) =>
  readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8'),
);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Every attribute value the templates write, as a pattern (a badge's colour is the one placeholder). */
const ATTRIBUTE_VALUES = new Map<string, RegExp[]>();
for (const [, name = '', value = ''] of TEMPLATES.join('\n').matchAll(/\s([a-z-]+)="([^"]*)"/g)) {
  if (name === 'href') continue; // checked on their own: http(s) only
  const pattern = new RegExp(`^${escapeRegExp(value).replace(/\\\$\\\{colour\\\}/g, '#[0-9a-f]{6}')}$`);
  if (pattern.source.includes('\\$\\{')) throw new Error(`a placeholder in ${name}="${value}"`);
  ATTRIBUTE_VALUES.set(name, [...(ATTRIBUTE_VALUES.get(name) ?? []), pattern]);
}
const TAG_NAMES = new Set(
  [...TEMPLATES.join('\n').matchAll(/<\/?([a-z][a-z0-9]*|!doctype)[\s>]/g)].map((m) => m[1]),
);

const unescapeHtml = (text: string) =>
  text.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));
const TAG = /<(\/?)([a-z][a-z0-9]*|!doctype)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*>/g;

/** Checks that `page` holds only the templates' markup, and returns its links (decoded) with their text. */
function onlyOurMarkup(page: string): { href: string; text: string }[] {
  const links: { href: string; text: string }[] = [];
  let last = 0;
  let open: { href: string; start: number } | undefined;
  for (const match of page.matchAll(TAG)) {
    const [whole, closing, name = '', attributes = ''] = match;
    const text = page.slice(last, match.index);
    // Between tags: text only, every markup character of it escaped.
    expect(text).not.toMatch(/[<>]/);
    expect(text.replace(/&#\d+;/g, '')).not.toContain('&');
    expect(TAG_NAMES).toContain(name);
    for (const [, attribute = '', value] of attributes.matchAll(/\s+([a-z-]+)(?:="([^"]*)")?/g)) {
      if (attribute === 'href') {
        const href = unescapeHtml(value ?? '');
        expect(['http:', 'https:']).toContain(new URL(href).protocol);
        open = { href, start: match.index + whole.length };
      } else if (name !== '!doctype') {
        expect(ATTRIBUTE_VALUES.get(attribute)?.some((pattern) => pattern.test(value ?? ''))).toBe(true);
      }
    }
    if (closing && name === 'a' && open) {
      links.push({ href: open.href, text: unescapeHtml(page.slice(open.start, match.index)) });
      open = undefined;
    }
    last = match.index + whole.length;
  }
  expect(page.slice(last)).not.toMatch(/[<>]/);
  return links;
}

/** Status text as it comes: markdown-ish, with hostile markup, links of every scheme, line breaks. */
const body = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '**',
        '## ',
        '* ',
        '- ',
        '• ',
        '\n',
        '\n\n',
        '\r\n',
        ' ',
        'https://status.example.com/a?b=1&c=2',
        'http://x.example/"onmouseover="alert(1)',
        "https://x.example/'><script>alert(1)</script>",
        'https://x.example/<img src=x onerror=alert(1)>',
        'javascript:alert(1)',
        'data:text/html,<b>x</b>',
        '<script>alert(1)</script>',
        '<a href="javascript:alert(1)">x</a>',
        '"',
        "'",
        '&amp;',
        '&#60;',
        '<!--',
        '</p>',
      ),
      anyText(8),
    ),
    { maxLength: 25 },
  )
  .map((parts) => parts.join(''));
const words = fc.oneof(anyText(30), body);

describe('the html tag, for any values', () => {
  it('escapes every interpolated string, so it reads back as given and adds no markup', () => {
    fc.assert(
      fc.property(anyText(40), fc.oneof(anyText(40), body), (a, b) => {
        const out = html`<p title="${a}">${b}</p>`.value;
        const [, title = '', content = ''] = /^<p title="([^"]*)">([^<]*)<\/p>$/.exec(out) ?? [];
        expect(out).toBe(`<p title="${title}">${content}</p>`);
        for (const [escaped, given] of [
          [title, a],
          [content, b],
        ] as const) {
          expect(escaped).not.toMatch(/[<>"']/);
          expect(escaped.replace(/&#\d+;/g, '')).not.toContain('&');
          expect(unescapeHtml(escaped)).toBe(given);
          expect(escaped).toBe(escapeHtml(given));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('renders nested values once: markup it made as is, text escaped once, nothing for null or false', () => {
    type Value = string | number | null | undefined | false | SafeHtml | Value[];
    const value: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        anyText(10),
        fc.integer(),
        fc.constantFrom(null, undefined, false as const),
        anyText(10).map((text) => html`<b>${text}</b>`),
        fc.array(tie('value'), { maxLength: 3 }),
      ),
    })).value;
    const expected = (v: Value): string =>
      v === null || v === undefined || v === false
        ? ''
        : v instanceof SafeHtml
          ? v.value
          : Array.isArray(v)
            ? v.map(expected).join('')
            : escapeHtml(String(v));
    fc.assert(
      fc.property(value, (v) => {
        expect(html`<div>${v}</div>`.value).toBe(`<div>${expected(v)}</div>`);
      }),
      { numRuns: 500 },
    );
  });
});

describe('markdown-ish text, for any body', () => {
  it('renders only its own tags and attributes; links are the body’s own http(s) URLs', () => {
    fc.assert(
      fc.property(body, (text) => {
        const links = onlyOurMarkup(markdownishToHtml(text).value);
        for (const link of links) {
          expect(text.replace(/\r\n?/g, '\n')).toContain(link.text);
          expect(link.href).toBe(new URL(link.text).href);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the notification, for any incident', () => {
  const timestamp = fc
    .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) })
    .map((ms) => new Date(ms).toISOString());
  const status = fc.oneof(fc.constantFrom('investigating', 'resolved', 'postmortem', 'in_progress'), words);
  const update = (id: string): fc.Arbitrary<IncidentUpdate> =>
    fc.record({
      incidentId: fc.constant('statuspage:page:inc1'),
      updateId: fc.constant(id),
      kind: fc.constantFrom('update' as const, 'postmortem' as const),
      status,
      body,
      displayAt: timestamp,
      affectedComponentIds: fc.constant([]),
      notify: fc.boolean(),
    });
  const input = fc.record({
    incident: fc.record({
      name: words,
      status,
      impact: fc.oneof(fc.constantFrom('none', 'minor', 'critical'), words),
      shortlink: fc.option(fc.oneof(fc.webUrl(), body), { nil: undefined }),
      scheduledFor: fc.option(timestamp, { nil: undefined }),
      scheduledUntil: fc.option(timestamp, { nil: undefined }),
    }),
    update: update('u0'),
    earlier: fc.tuple(update('u1'), update('u2')),
    affected: fc.array(
      fc.record({
        region: fc.option(words, { nil: undefined }),
        components: fc.array(words, { maxLength: 3 }),
      }),
      { maxLength: 3 },
    ),
    pageName: fc.option(words, { nil: undefined }),
    timeZone: fc.option(
      fc.oneof(fc.constantFrom('America/New_York', 'Asia/Kolkata', 'UTC', 'Not/AZone'), words),
      {
        nil: undefined,
      },
    ),
    reason: fc.option(words, { nil: undefined }),
  });

  it('holds only the template’s markup, whatever the webhook, catalog and subscriber bring', () => {
    fc.assert(
      fc.property(input, fc.webUrl(), (given, url) => {
        const incident = incidentRecord(given.incident);
        const content = renderNotification({
          incident,
          update: given.update,
          updates: [given.update, ...given.earlier],
          affected: given.affected,
          ...(given.pageName !== undefined ? { pageName: given.pageName } : {}),
          ...(given.timeZone !== undefined ? { timeZone: given.timeZone } : {}),
        });
        const footer = renderFooter({
          ...(given.reason !== undefined ? { reason: given.reason } : {}),
          unsubscribeUrl: `${url}/v1/unsubscribe?token=a`,
          preferencesUrl: `${url}/v1/preferences?token=a`,
        });
        const links = onlyOurMarkup(wholeMail(content, footer).html);
        expect(content.subject).toBe(mailSubject(incident.subject, given.pageName));
        // The incident page's link only when the shortlink is an http(s) URL.
        const button = links.find((link) => link.text === 'View the incident page');
        expect(button?.href).toBe(
          /^https?:$/.test(URL.parse(given.incident.shortlink ?? '')?.protocol ?? '')
            ? new URL(given.incident.shortlink ?? '').href
            : undefined,
        );
      }),
      { numRuns: 200 },
    );
  });
});
