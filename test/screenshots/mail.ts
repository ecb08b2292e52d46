import { LOCAL_DEFAULTS } from '../../infra/local/stack';
import {
  endpointAddedMail,
  endpointQuarantinedMail,
  endpointRegisteredMail,
} from '../../shared/templates/account';
import instatusComponents from '../fixtures/instatus/components.json';
import instatusIncident from '../fixtures/instatus/real-incident.json';
import { maintenanceWebhook } from '../fixtures/maintenance';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { adminJson, screenshotSession, shoot } from './session';

/*
 * `npm run screenshots:mail`: the notifications as a subscriber's mail client shows them (the HTML part
 * the SES emulator received), on a fresh local stack: an incident update, and a maintenance's
 * announcement and reminder, an Instatus incident's first update (its markdown), and the mails to a
 * webhook's owner (set up by support, asked for on the form, paused). Saved in docs/screenshots/ at phone and desktop width, light and dark.
 */
await screenshotSession(async (stack, browser) => {
  const email = 'ana@example.com';
  await fetch(`${stack.apiUrl}/v1/admin/subscribers`, {
    method: 'POST',
    headers: adminJson,
    body: JSON.stringify({ email, confirmed: true, topics: [{ pageId: PAGE_ID, componentId: US_CHAT }] }),
  });
  const webhook = (payload: unknown) =>
    fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
  const now = Date.now();
  const maintenance = {
    id: 'mnt7x2k9q4ab',
    name: 'Database upgrade',
    announcedAt: new Date(now - 86_400_000).toISOString(),
    scheduledFor: new Date(now + 45 * 60_000).toISOString(),
    scheduledUntil: new Date(now + 165 * 60_000).toISOString(),
    remindPrior: true,
  };
  await webhook(incidentWebhook(chatMessagesMayFail, 2));
  await stack.waitForIdle();
  await webhook(maintenanceWebhook(maintenance, 'scheduled'));
  await stack.waitForIdle();
  await stack.runScheduled('reminders');
  await stack.waitForIdle();

  // An Instatus page: its components as Instatus lists them, a follower of Channel - Chat, its first update.
  const instatusPage = instatusIncident.page.id;
  const instatusReader = 'bea@example.com';
  await fetch(`${stack.apiUrl}/v1/admin/pages/${instatusPage}/components`, {
    method: 'PUT',
    headers: adminJson,
    body: JSON.stringify({ page: { name: 'Kustomer' }, components: instatusComponents }),
  });
  await fetch(`${stack.apiUrl}/v1/admin/subscribers`, {
    method: 'POST',
    headers: adminJson,
    body: JSON.stringify({
      email: instatusReader,
      confirmed: true,
      topics: [{ pageId: instatusPage, componentId: instatusIncident.incident.affected_components[0]?.id }],
    }),
  });
  const firstUpdate = structuredClone(instatusIncident);
  firstUpdate.incident.incident_updates = firstUpdate.incident.incident_updates.slice(-1);
  firstUpdate.incident.status = 'Investigating';
  await fetch(`${stack.apiUrl}/v1/webhooks/instatus/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(firstUpdate),
  });
  await stack.waitForIdle();

  const { emails } = (await (await fetch(`${stack.sesEndpoint}/store`)).json()) as {
    emails: Array<{ destination: { to: string[] }; body: { html: string } }>;
  };
  const mails = emails.filter((m) => m.destination.to.includes(email));
  const page = await browser.newPage();
  for (const [name, mail] of [
    ['incident-update', mails[0]],
    ['maintenance-announced', mails[1]],
    ['maintenance-reminder', mails[2]],
    ['instatus-update', emails.find((m) => m.destination.to.includes(instatusReader))],
  ] as const) {
    if (!mail) throw new Error(`no ${name} mail`);
    await page.setContent(mail.body.html);
    await shoot(page, 'mail', name);
  }
  // The webhook owner's mails, as their templates render them.
  const owner = {
    endpoint: 'https://hooks.example.com/status/ab…',
    preferencesUrl: `${stack.apiUrl}/v1/preferences?token=…`,
  };
  for (const [name, mail] of [
    ['webhook-added', endpointAddedMail(owner)],
    ['webhook-registered', endpointRegisteredMail(owner)],
    [
      'chat-registered',
      endpointRegisteredMail({
        ...owner,
        endpoint: 'https://hooks.slack.com/services/T0…/B0…/x…',
        platform: 'Slack',
      }),
    ],
    ['webhook-paused', endpointQuarantinedMail({ ...owner, reason: 'the endpoint answered 410 Gone' })],
  ] as const) {
    await page.setContent(mail.html);
    await shoot(page, 'mail', name);
  }
});
