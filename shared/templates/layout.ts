import { type AssetName, assetUrl } from './assets';
import { html, type SafeHtml } from './html';

export interface LayoutInput {
  title: string;
  /** What the masthead names: the status page's name, or the console. */
  brand?: string;
  body: SafeHtml;
  /** `embed`: no masthead or footer, for an iframe on the page owner's site; `wide`: the console. */
  variant?: 'page' | 'embed' | 'wide';
  /** Under the brand: the console's navigation. */
  nav?: SafeHtml;
  /** Scripts beyond site.js, from this origin, deferred: the console's. */
  scripts?: readonly AssetName[];
  /** Feeds of the page, for feed readers' autodiscovery. */
  alternates?: ReadonlyArray<{ type: string; title: string; href: string }>;
}

/**
 * Every page's frame: one stylesheet and one deferred script from this origin (the CSP allows nothing
 * else), a skip link, the page's name, and the content in one card like the mail's.
 */
export function layout(input: LayoutInput): string {
  const variant = input.variant ?? 'page';
  const masthead =
    variant === 'embed'
      ? ''
      : html`<header class="masthead"><strong>${input.brand ?? 'Status updates'}</strong>${input.nav ?? ''}</header>`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="light dark"><title>${input.title}</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="${assetUrl('site.css')}">${(input.alternates ?? []).map((feed) => html`<link rel="alternate" type="${feed.type}" title="${feed.title}" href="${feed.href}">`)}
<script src="${assetUrl('site.js')}" defer></script>${(input.scripts ?? []).map((name) => html`<script src="${assetUrl(name)}" defer></script>`)}</head>
<body class="${variant}"><a class="skip" href="#content">Skip to content</a>
${masthead}<main id="content" tabindex="-1">${input.body}</main>
${variant === 'page' ? html`<footer>Status updates by email. No tracking and no cookies on these pages.</footer>` : ''}
</body></html>`.value;
}
