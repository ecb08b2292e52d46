import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { LOCAL_DEFAULTS, startLocalStack } from '../../infra/local/stack';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID } from '../fixtures/seeds';
import { launchChromium } from '../support/browser';
import { freePort } from '../support/ports';

/*
 * `npm run screenshots`: walks a customer through the pages on a fresh local stack and saves each page
 * at phone and desktop width, light and dark, in docs/screenshots/. Look at them after any page change.
 */
const OUT = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');
const VARIANTS = [
  { width: 390, scheme: 'light' },
  { width: 390, scheme: 'dark' },
  { width: 1280, scheme: 'light' },
  { width: 1280, scheme: 'dark' },
] as const;

async function shoot(page: Page, name: string) {
  for (const { width, scheme } of VARIANTS) {
    await page.setViewportSize({ width, height: 900 });
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: join(OUT, `customer-${name}-${width}-${scheme}.png`), fullPage: true });
  }
  console.log(`  ${name}`);
}

const stack = await startLocalStack({
  apiPort: 0,
  dynamodb: { port: await freePort() },
  ses: { port: 0 },
});
const browser = await launchChromium();
try {
  const api = stack.apiUrl;
  const admin = {
    authorization: `Bearer ${LOCAL_DEFAULTS.ADMIN_API_KEY}`,
    'content-type': 'application/json',
  };
  await fetch(`${api}/v1/admin/pages/${PAGE_ID}/components`, {
    method: 'PUT',
    headers: admin,
    body: readFileSync(join(import.meta.dirname, '..', 'fixtures', 'components.json'), 'utf8'),
  });
  const page = await browser.newPage();
  const lastLink = async (email: string, path: string) => {
    const { emails } = (await (await fetch(`${stack.sesEndpoint}/store`)).json()) as {
      emails: Array<{ destination: { to: string[] }; body: { text: string } }>;
    };
    const text = emails.filter((m) => m.destination.to.includes(email)).at(-1)?.body.text ?? '';
    return new RegExp(`https?://\\S+${path}\\?token=\\S+`).exec(text)?.[0] ?? '';
  };

  console.log(`Saving screenshots to ${OUT}`);
  await page.goto(`${api}/subscribe?page=${PAGE_ID}`);
  await shoot(page, 'subscribe');
  await page.getByLabel('Email', { exact: true }).fill('ana@example');
  await page.route('**/assets/site.js*', (route) => route.abort()); // the server's answer, not the script's
  await page.reload();
  await page.getByLabel('Email', { exact: true }).fill('ana@example');
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await page.getByRole('alert').waitFor();
  await shoot(page, 'subscribe-errors');
  await page.unroute('**/assets/site.js*');

  const email = 'ana@example.com';
  await page.goto(`${api}/subscribe?page=${PAGE_ID}`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByRole('group', { name: 'Prod1 (US)' }).getByLabel('Channel - Chat').check();
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  await shoot(page, 'check-inbox');

  await page.goto(await lastLink(email, '/v1/confirm'));
  await shoot(page, 'confirm');
  await page.getByRole('button', { name: 'Confirm subscription' }).click();
  await page.getByRole('heading', { name: 'Subscription confirmed' }).waitFor();
  await shoot(page, 'confirmed');

  await fetch(`${api}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(incidentWebhook(chatMessagesMayFail, 1)),
  });
  await stack.waitForIdle();
  const preferences = await lastLink(email, '/v1/preferences');
  await page.goto(preferences);
  await shoot(page, 'preferences');
  await page.getByRole('group', { name: 'Prod2 (EU)' }).getByLabel('Channel - Chat').check();
  await page.getByLabel('Start and resolution only').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').waitFor();
  await shoot(page, 'preferences-saved');

  await page.goto(preferences.replace('/v1/preferences', '/v1/unsubscribe'));
  await shoot(page, 'unsubscribe');
  await page.getByRole('button', { name: 'Unsubscribe' }).click();
  await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
  await shoot(page, 'unsubscribed');
  await page.goto(preferences);
  await shoot(page, 'preferences-unsubscribed');
} finally {
  await browser.close();
  await stack.stop();
}
