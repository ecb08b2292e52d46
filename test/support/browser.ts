import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { describeNeeding } from './requires';

/*
 * Debian's Chromium, driven by playwright-core: nothing downloads a browser (there is no internet here).
 * `CHROMIUM_PATH` points elsewhere when the browser lives elsewhere.
 */
export const INSTALL_HINT = 'sudo apt-get install -y chromium (or set CHROMIUM_PATH)';

export function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((path): path is string => Boolean(path && existsSync(path)));
}

/** A suite that needs Chromium: skipped with the install command locally, failed on CI. */
export function describeInBrowser(name: string, body: () => void) {
  const chromium = { what: 'Chromium', present: () => Boolean(chromiumPath()), installHint: INSTALL_HINT };
  return describeNeeding(chromium, name, body);
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(`Chromium is not installed: ${INSTALL_HINT}`);
  return chromium.launch({
    executablePath,
    // Root (CI, containers) cannot use Chromium's sandbox.
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/**
 * axe-core's serious and critical findings on the page as it is now. Injected through the debugging
 * protocol, so the page's own CSP (no inline script) stays on and is tested too.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const result = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))",
  )) as AxeViolation[];
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export interface PageWatch {
  /** Requests that left the system's own origin (fonts, CDNs): there must be none. */
  external: string[];
  /** What the browser refused under the Content-Security-Policy: there must be none. */
  cspViolations: string[];
  /** Each page (main-frame document) loaded: its URL, status and size in bytes with headers. */
  documents: Array<{ url: string; status: number; bytes: number; headers: Record<string, string> }>;
}

/** Watches a page for requests elsewhere, CSP refusals and the weight of each document. */
export function watchPage(page: Page, origin: string): PageWatch {
  const watch: PageWatch = { external: [], cspViolations: [], documents: [] };
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('about:'))
      watch.external.push(url);
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) watch.cspViolations.push(message.text());
  });
  page.on('response', async (response) => {
    if (response.request().resourceType() !== 'document' || response.frame() !== page.mainFrame()) return;
    const headers = await response.allHeaders();
    const body = await response.body().catch(() => Buffer.alloc(0));
    const headerBytes = Object.entries(headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
    watch.documents.push({
      url: response.url(),
      status: response.status(),
      bytes: body.length + headerBytes,
      headers,
    });
  });
  return watch;
}

/** Bytes of the stylesheet and script every page loads, fetched as a browser with an empty cache would. */
export async function assetBytes(origin: string, html: string): Promise<number> {
  const urls = [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => `${origin}${m[1]}`);
  let total = 0;
  for (const url of urls) {
    const response = await fetch(url);
    total += (await response.arrayBuffer()).byteLength;
    response.headers.forEach((value, name) => {
      total += name.length + value.length + 4;
    });
  }
  return total;
}

/** No serious or critical axe-core finding on the page as it is now, in the light and the dark scheme. */
export async function expectAccessible(page: Page) {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await seriousAxeViolations(page), `${page.url()} (${colorScheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/**
 * What every page a watched browser loaded must have been: nothing fetched from elsewhere, nothing
 * refused by the CSP, no 5xx, and a CSP that allows scripts from this origin only. `headers` are what a
 * suite's pages add (the console's frame-ancestors, the customer pages' referrer policy).
 */
export function expectClean(watch: PageWatch, headers: Record<string, string> = {}) {
  expect(watch.external).toEqual([]);
  expect(watch.cspViolations).toEqual([]);
  for (const document of watch.documents) {
    expect(document.status, document.url).toBeLessThan(500);
    if (!document.headers['content-type']?.startsWith('text/html')) continue; // a redirect
    const csp = document.headers['content-security-policy'] ?? '';
    expect(csp, document.url).toContain("script-src 'self'");
    expect(csp, document.url).not.toContain('unsafe-inline');
    for (const [name, part] of Object.entries(headers))
      expect(document.headers[name], document.url).toContain(part);
  }
}
