import { LOCAL_DEFAULTS } from '../../infra/local/stack';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { screenshotSession, shoot } from './session';

/*
 * `npm run screenshots`: walks a customer through the pages on a fresh local stack and saves each page
 * at phone and desktop width, light and dark, in docs/screenshots/. Look at them after any page change.
 */
await screenshotSession(async (stack, browser) => {
  const api = stack.apiUrl;
  const page = await browser.newPage();
  const lastLink = async (email: string, path: string) => {
    const { emails } = (await (await fetch(`${stack.sesEndpoint}/store`)).json()) as {
      emails: Array<{ destination: { to: string[] }; body: { text: string } }>;
    };
    const text = emails.filter((m) => m.destination.to.includes(email)).at(-1)?.body.text ?? '';
    return new RegExp(`https?://\\S+${path}\\?token=\\S+`).exec(text)?.[0] ?? '';
  };

  await page.goto(`${api}/subscribe?page=${PAGE_ID}`);
  await shoot(page, 'customer', 'subscribe');
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill('ana@example');
  await page.route('**/assets/site.js*', (route) => route.abort()); // the server's answer, not the script's
  await page.reload();
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill('ana@example');
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await page.getByRole('alert').waitFor();
  await shoot(page, 'customer', 'subscribe-errors');
  await page.unroute('**/assets/site.js*');

  const email = 'ana@example.com';
  await page.goto(`${api}/subscribe?page=${PAGE_ID}`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByRole('group', { name: 'Prod1 (US)' }).getByLabel('Channel - Chat').check();
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  await shoot(page, 'customer', 'check-inbox');

  await page.goto(await lastLink(email, '/v1/confirm'));
  await shoot(page, 'customer', 'confirm');
  await page.getByRole('button', { name: 'Confirm subscription' }).click();
  await page.getByRole('heading', { name: 'Subscription confirmed' }).waitFor();
  await shoot(page, 'customer', 'confirmed');

  // A webhook instead: the form with that channel chosen, the answer, and its confirmation with the secret.
  await page.goto(`${api}/subscribe?page=${PAGE_ID}`);
  await page.getByRole('group', { name: 'Where should updates go?' }).getByLabel('Webhook').check();
  await page.getByLabel('Webhook URL', { exact: true }).fill(`${stack.receiver.url}/hooks/ops-alerts`);
  await page.getByLabel('Email for notices about this webhook').fill('ops@example.com');
  await page.getByRole('group', { name: 'Prod1 (US)' }).getByLabel('Channel - Chat').check();
  await shoot(page, 'customer', 'subscribe-webhook');
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await page.getByRole('heading', { name: 'Check your endpoint' }).waitFor();
  await shoot(page, 'customer', 'check-endpoint');
  const verification = JSON.parse(stack.receiver.received[0]?.body ?? '{}');
  await page.goto(verification.data.confirm_url);
  await page.getByRole('button', { name: 'Confirm subscription' }).click();
  await page.getByRole('heading', { name: 'Subscription confirmed' }).waitFor();
  await shoot(page, 'customer', 'webhook-confirmed');
  const webhookPreferences = await page
    .getByRole('link', { name: 'Manage preferences' })
    .getAttribute('href');

  // Each chat platform chosen on the form; Slack subscribed, confirmed from its message, the others
  // added by support, so that the receiver's page shows one message of each.
  const chats = [
    ['slack', 'Slack'],
    ['teams', 'Microsoft Teams'],
    ['discord', 'Discord'],
    ['googlechat', 'Google Chat'],
  ] as const;
  for (const [type, name] of chats) {
    await page.goto(`${api}/subscribe?page=${PAGE_ID}`);
    await page
      .getByRole('group', { name: 'Where should updates go?' })
      .getByLabel(name, { exact: true })
      .check();
    await page.getByLabel(`${name} webhook URL`).fill(`${stack.receiver.url}/hooks/${type}-ops`);
    await page.getByLabel('Email for notices about this webhook').fill('ops@example.com');
    await page.getByRole('group', { name: 'Prod1 (US)' }).getByLabel('Channel - Chat').check();
    await shoot(page, 'customer', `subscribe-${type}`);
    if (type === 'slack') {
      await page.getByRole('button', { name: 'Subscribe' }).click();
      await page.getByRole('heading', { name: 'Check your Slack channel' }).waitFor();
      await shoot(page, 'customer', 'check-chat');
      const message = JSON.parse(stack.receiver.received[0]?.body ?? '{}');
      const confirm = message.blocks
        ?.flatMap((b: { elements?: Array<{ text?: { text: string }; url?: string }> }) => b.elements ?? [])
        .find((e: { text?: { text: string } }) => e.text?.text === 'Confirm')?.url;
      await page.goto(confirm ?? '');
      await page.getByRole('button', { name: 'Confirm subscription' }).click();
      await page.getByRole('heading', { name: 'Subscription confirmed' }).waitFor();
      await shoot(page, 'customer', 'chat-confirmed');
      await page.getByRole('link', { name: 'Manage preferences' }).click();
      await page.getByRole('button', { name: 'Send a test message' }).waitFor();
      await shoot(page, 'customer', 'preferences-chat');
    } else {
      await fetch(`${api}/v1/admin/subscribers`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${LOCAL_DEFAULTS.ADMIN_API_KEY}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          channel: { type, url: `${stack.receiver.url}/hooks/${type}-ops` },
          ownerEmail: 'ops@example.com',
          topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
          confirmed: true,
        }),
      });
    }
  }

  await fetch(`${api}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(incidentWebhook(chatMessagesMayFail, 1)),
  });
  await stack.waitForIdle();

  // Following the incident alone, from the subscribe page's list of what is happening now.
  await page.goto(`${api}/subscribe?page=${PAGE_ID}`);
  await page.getByRole('heading', { name: 'Happening now' }).scrollIntoViewIfNeeded();
  await shoot(page, 'customer', 'subscribe-happening-now');
  await page.getByRole('link', { name: 'Follow this incident' }).first().click();
  await shoot(page, 'customer', 'follow');
  await page.route('**/assets/site.js*', (route) => route.abort());
  await page.reload();
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill('bo@example');
  await page.getByRole('button', { name: 'Follow this incident' }).click();
  await page.getByRole('alert').waitFor();
  await shoot(page, 'customer', 'follow-errors');
  await page.unroute('**/assets/site.js*');
  await page.reload();
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill('bo@example.com');
  await page.getByRole('button', { name: 'Follow this incident' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  await page.goto(await lastLink('bo@example.com', '/v1/confirm'));
  await page.getByRole('button', { name: 'Confirm subscription' }).click();
  await page.getByRole('heading', { name: 'Subscription confirmed' }).waitFor();
  await shoot(page, 'customer', 'follow-confirmed');
  await page.getByRole('link', { name: 'Manage preferences' }).click();
  await page.getByRole('heading', { name: 'Your email updates' }).waitFor();
  await shoot(page, 'customer', 'preferences-following');

  const preferences = await lastLink(email, '/v1/preferences');
  await page.goto(preferences);
  await shoot(page, 'customer', 'preferences');
  await page.getByRole('group', { name: 'Prod2 (EU)' }).getByLabel('Channel - Chat').check();
  await page.getByLabel('Start and resolution only').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').waitFor();
  await shoot(page, 'customer', 'preferences-saved');

  await page.goto(preferences.replace('/v1/preferences', '/v1/unsubscribe'));
  await shoot(page, 'customer', 'unsubscribe');
  await page.getByRole('button', { name: 'Unsubscribe' }).click();
  await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
  await shoot(page, 'customer', 'unsubscribed');
  await page.goto(preferences);
  await shoot(page, 'customer', 'preferences-unsubscribed');

  // The webhook's own page, after the update and a test event.
  await page.goto(`${api}${webhookPreferences}`);
  await page.getByRole('button', { name: 'Send a test event' }).click();
  await page.getByRole('status').waitFor();
  await shoot(page, 'customer', 'preferences-webhook');

  // The local receiver's page: what the webhook got (the verification, then the update), and each chat.
  await page.goto(`${stack.receiver.url}/`);
  await shoot(page, 'local', 'webhook-receiver');
});
