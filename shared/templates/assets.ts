import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/*
 * The pages' stylesheet and script, served by the functions themselves (no CDN, no external request).
 * Read once at cold start from `assets/` beside this module; the Lambda bundle gets a copy of that folder
 * beside its entry file (infra/notifier-function.ts), so the same relative URL finds it there.
 */
const TYPES = {
  'site.css': 'text/css; charset=utf-8',
  'site.js': 'text/javascript; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
} as const;
export type AssetName = keyof typeof TYPES;

export interface Asset {
  body: string;
  contentType: string;
  /** A hash of the content: URLs carry it, so a changed file is never served from an old cache. */
  version: string;
}

const assets = new Map<string, Asset>(
  (Object.entries(TYPES) as Array<[AssetName, string]>).map(([name, contentType]) => {
    const body = readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
    const version = createHash('sha256').update(body).digest('base64url').slice(0, 12);
    return [name, { body, contentType, version }];
  }),
);

export function getAsset(name: string): Asset | undefined {
  return assets.get(name);
}

/** The URL a page links an asset by: versioned, so it may be cached for ever. */
export function assetUrl(name: AssetName): string {
  return `/assets/${name}?v=${assets.get(name)?.version ?? ''}`;
}
