import type { ErrorDetail } from '../../../errors';
import { hidden } from '../../forms';
import { html, type SafeHtml } from '../../html';
import { layout } from '../../layout';

/*
 * The support console's frame: the wide layout, its navigation with the sign-out button, the line that
 * tells a read-only key why there is nothing to change, and small pieces every console page uses.
 */

export type ConsoleSection = 'subscribers' | 'suppressions' | 'import' | 'incidents' | 'pages';

/** Who is signed in, as a page needs it: the CSRF token for its forms, and whether the key may write. */
export interface ConsoleViewer {
  actor: string;
  canWrite: boolean;
  csrf: string;
}

const SECTIONS: ReadonlyArray<{ id: ConsoleSection; href: string; label: string }> = [
  { id: 'subscribers', href: '/console/subscribers', label: 'Subscribers' },
  { id: 'suppressions', href: '/console/suppressions', label: 'Suppressions' },
  { id: 'import', href: '/console/import', label: 'Import' },
  { id: 'incidents', href: '/console/incidents', label: 'Incidents' },
  { id: 'pages', href: '/console/pages', label: 'Pages' },
];

function nav(current: ConsoleSection | undefined, viewer: ConsoleViewer | undefined): SafeHtml {
  const links = SECTIONS.map(
    (s) => html`<a href="${s.href}"${s.id === current ? html` aria-current="page"` : ''}>${s.label}</a>`,
  );
  const signOut = viewer
    ? html`<form method="post" action="/console/sign-out">${hidden('csrf', viewer.csrf)}<span class="muted">${viewer.actor === 'bootstrap' ? "Signed in with the deployment's key" : `Signed in with key ${viewer.actor}`}${viewer.canWrite ? '' : ', read only'}</span> <button type="submit" class="link">Sign out</button></form>`
    : '';
  return html`<nav class="console" aria-label="Console">${links}<a href="/console/export" download>Export CSV</a>${signOut}</nav>`;
}

export function consolePage(input: {
  title: string;
  body: SafeHtml;
  current?: ConsoleSection;
  viewer?: ConsoleViewer;
  /** The page came back with errors: the title says so first, as GOV.UK pages do. */
  hasErrors?: boolean;
}): string {
  return layout({
    title: `${input.hasErrors ? 'Error: ' : ''}${input.title} – Support console`,
    brand: 'Support console',
    variant: 'wide',
    body: input.body,
    scripts: ['console.js'],
    // Signed out (the sign-in page, an error before sign-in): no navigation into pages that need a session.
    ...(input.viewer ? { nav: nav(input.current, input.viewer) } : {}),
  });
}

export const READ_ONLY = 'Your key can only read: ask for a key with the write scope to change subscribers.';

/** Where a form would be, for a key that may only read: why there is none. */
export const readOnlyNote = () => html`<p class="notice info">${READ_ONLY}</p>`;

/** A result after a change (from a fixed list: nothing from the URL is echoed), focused for screen readers. */
export const doneNotice = (message: string | undefined) =>
  message ? html`<div class="notice" role="status" tabindex="-1" data-focus><p>${message}</p></div>` : '';

/** `2026-03-02 09:14 UTC`: one unambiguous form across the console. */
export function when(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A state as a labelled badge: the word is always there, the colour only helps. */
export const badge = (state: string, label = state) => html`<span class="badge ${state}">${label}</span>`;

/** A table that scrolls sideways on a phone; the region is focusable so the keyboard can scroll it. */
export const tableWrap = (label: string, table: SafeHtml) =>
  html`<div class="table-wrap" role="region" aria-label="${label}" tabindex="0">${table}</div>`;

const TITLES: Record<number, string> = {
  400: 'There is a problem with this request',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Something changed in the meantime',
  413: 'That is too large',
  415: 'That kind of content is not accepted here',
  429: 'Too many requests',
  502: 'The admin API is not answering',
  504: 'The admin API is not answering',
};

/** Any error on a console page, in words, with the way back. Never a stack trace or a raw API body. */
export function consoleErrorPage(
  status: number,
  message: string,
  details: readonly ErrorDetail[] = [],
): string {
  const title = TITLES[status] ?? 'Sorry, something went wrong';
  const shown = status === 500 ? 'Something went wrong on our side. Try again in a moment.' : message;
  return consolePage({
    title,
    body: html`<h1>${title}</h1><p>${shown}</p>${
      details.length && status < 500
        ? html`<ul>${details.map((d) => html`<li>${d.path && d.path !== '(root)' ? `${d.path}: ` : ''}${d.message}</li>`)}</ul>`
        : ''
    }<p><a href="${status === 401 ? '/console' : '/console/subscribers'}">${status === 401 ? 'Sign in' : 'Back to the console'}</a></p>`,
  });
}
