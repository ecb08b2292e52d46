import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { LOCAL_DEFAULTS, type LocalStack, startLocalStack } from '../../infra/local/stack';
import { PAGE_ID } from '../fixtures/seeds';
import { launchChromium } from '../support/browser';
import { freePort } from '../support/ports';

/*
 * What both screenshot scripts share: a fresh local stack with the fixture page's components, a Chromium,
 * and each page saved at phone and desktop width, light and dark, in docs/screenshots/.
 */
const OUT = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');
const VARIANTS = [
  { width: 390, scheme: 'light' },
  { width: 390, scheme: 'dark' },
  { width: 1280, scheme: 'light' },
  { width: 1280, scheme: 'dark' },
] as const;

export const adminJson = {
  authorization: `Bearer ${LOCAL_DEFAULTS.ADMIN_API_KEY}`,
  'content-type': 'application/json',
};

/** Saves the page as it is now as `<prefix>-<name>-<width>-<scheme>.png`, in all four variants. */
export async function shoot(page: Page, prefix: string, name: string) {
  for (const { width, scheme } of VARIANTS) {
    await page.setViewportSize({ width, height: 900 });
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: join(OUT, `${prefix}-${name}-${width}-${scheme}.png`), fullPage: true });
  }
  console.log(`  ${name}`);
}

/** Runs `walk` against a fresh stack and browser, and stops both however it ends. */
export async function screenshotSession(walk: (stack: LocalStack, browser: Browser) => Promise<void>) {
  const stack = await startLocalStack({ apiPort: 0, dynamodb: { port: await freePort() }, ses: { port: 0 } });
  const browser = await launchChromium();
  try {
    await fetch(`${stack.apiUrl}/v1/admin/pages/${PAGE_ID}/components`, {
      method: 'PUT',
      headers: adminJson,
      body: readFileSync(join(import.meta.dirname, '..', 'fixtures', 'components.json'), 'utf8'),
    });
    console.log(`Saving screenshots to ${OUT}`);
    await walk(stack, browser);
  } finally {
    await browser.close();
    await stack.stop();
  }
}
