import type { ErrorDetail } from '../../errors';
import { html, type SafeHtml } from '../html';
import { layout } from '../layout';
import { capitalized } from '../text';

/* Small pages: a result with where to go next, a single button that acts, and errors in words. */

export interface PageLink {
  href: string;
  label: string;
  secondary?: boolean;
}

const links = (items: readonly PageLink[] = []) =>
  items.length
    ? html`<div class="actions">${items.map((l) => html`<a class="button${l.secondary ? ' secondary' : ''}" href="${l.href}">${l.label}</a>`)}</div>`
    : '';

export function messagePage(input: {
  title: string;
  message: string | SafeHtml;
  /** More after the message: a block of its own. */
  details?: SafeHtml;
  links?: readonly PageLink[];
  brand?: string;
  variant?: 'page' | 'embed';
}): string {
  return layout({
    title: input.title,
    ...(input.brand ? { brand: input.brand } : {}),
    ...(input.variant ? { variant: input.variant } : {}),
    body: html`<h1>${input.title}</h1><p>${input.message}</p>${input.details ?? ''}${links(input.links)}`,
  });
}

/** A webhook's signing secret, shown once, with what to do with it. */
export const signingSecretBlock = (secret: string) =>
  html`<div class="notice"><p><strong>Your signing secret, shown this once:</strong></p><p><code class="secret">${secret}</code></p><p>Keep it where your endpoint checks each request's <code>webhook-signature</code> header with it (Standard Webhooks); this page will not show it again.</p></div>`;

/** A page whose one button POSTs back: mail scanners follow links, they do not press buttons. */
export function actionPage(input: {
  title: string;
  message: string;
  action: string;
  button: string;
  hint?: string;
  brand?: string;
}): string {
  return layout({
    title: input.title,
    ...(input.brand ? { brand: input.brand } : {}),
    body: html`<h1>${input.title}</h1><p>${input.message}</p><form method="post" action="${input.action}"><button type="submit">${input.button}</button></form>${input.hint ? html`<p class="muted">${input.hint}</p>` : ''}`,
  });
}

const TITLES: Record<number, string> = {
  400: 'There is a problem with this request',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'Something changed in the meantime',
  413: 'That is too large',
  415: 'That kind of content is not accepted here',
  429: 'Too many requests',
};

/**
 * Any error a page route meets, as a page: what went wrong in words, never a stack or a 500 body. In the
 * embedded form (`embed`) it has no masthead and links back to the embeddable form, so it stays in the frame.
 */
export function errorPage(
  status: number,
  message: string,
  details: readonly ErrorDetail[] = [],
  options: { embed?: boolean } = {},
): string {
  const title = TITLES[status] ?? 'Sorry, something went wrong';
  const shown = status >= 500 ? 'Please try again in a moment.' : capitalized(message);
  const home = options.embed ? '/subscribe/embed' : '/subscribe';
  return layout({
    title,
    ...(options.embed ? { variant: 'embed' as const } : {}),
    body: html`<h1>${title}</h1><p>${shown}</p>${
      details.length && status < 500
        ? html`<ul>${details.map((d) => html`<li>${capitalized(d.message)}</li>`)}</ul>`
        : ''
    }<p><a href="${home}">Go to the subscribe page</a></p>`,
  });
}
