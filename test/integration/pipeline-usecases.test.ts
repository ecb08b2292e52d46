import { randomUUID } from 'node:crypto';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { cachedSuppressionList } from '../../shared/adapters/read-cache';
import { SesMailer } from '../../shared/adapters/ses/mailer';
import { CatalogImport } from '../../shared/domain/catalog-import';
import { deliveryId } from '../../shared/domain/delivery';
import { manageTokenMatches, parseLinkToken } from '../../shared/domain/link-tokens';
import { batchKeysOf } from '../../shared/domain/send-batch';
import { StatuspageWebhook } from '../../shared/domain/statuspage';
import type { SubscriberRecord } from '../../shared/domain/subscriber';
import { systemClock } from '../../shared/ports';
import { createSubscriber } from '../../shared/usecases/admin-subscribers';
import { importPageComponents } from '../../shared/usecases/catalog';
import { fanOut } from '../../shared/usecases/fan-out';
import { ingestStatuspageWebhook } from '../../shared/usecases/ingest-statuspage';
import { type BatchRequest, sendDeliveries } from '../../shared/usecases/send-deliveries';
import componentsJson from '../fixtures/components.json';
import { chatMessagesMayFail, EU_CHAT, incidentWebhook, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { freshStores, header, isAbout, mailTo, sesClient, uniqueEmail } from '../support/local-aws';
import { subscriberRecord } from '../support/records';

// Fan-out and sending against DynamoDB Local and the SES emulator, driven directly (no streams).
let deps: Awaited<ReturnType<typeof setup>>;
async function setup() {
  return {
    ...(await freshStores()),
    clock: systemClock,
    mailerFor: (client: SESv2Client) => new SesMailer(client, { from: 'status@notifier.example.com' }),
  };
}
const config = {
  mailFrom: 'status@notifier.example.com',
  publicBaseUrl: 'https://status.example.com',
  linkSigningSecret: 'x'.repeat(32),
  sesMessageIdDomain: 'email.amazonses.com',
};

/** The batches the fan-out wrote for an update, as the deliveries stream hands them to the sender. */
async function writtenBatches(incidentId: string, updateId: string, count: number): Promise<BatchRequest[]> {
  const batches = await deps.sendBatches.load(batchKeysOf(incidentId, updateId, count));
  return [...batches.values()]
    .sort((a, b) => a.index - b.index)
    .map((batch) => ({ ...batch, recordId: `${updateId}-${batch.index}` }));
}

/** A batch of these recipients, as a fan-out would write it. */
function batchOf(
  key: { incidentId: string; updateId: string },
  people: ReadonlyArray<{ id: string; email: string }>,
  recordId: string,
): BatchRequest {
  return {
    ...key,
    index: 0,
    recipients: people.map((person) => ({ subscriberId: person.id, email: person.email })),
    createdAt: new Date().toISOString(),
    recordId,
  };
}

/** The delivery keys of a batch's recipients. */
const keysOf = (batch: BatchRequest) =>
  batch.recipients.map(({ subscriberId }) => ({ ...batch, subscriberId }));

beforeAll(async () => {
  deps = await setup();
  await importPageComponents(deps, PAGE_ID, CatalogImport.parse(componentsJson));
});

const ingest = (count: number, seed = chatMessagesMayFail) =>
  ingestStatuspageWebhook(deps, StatuspageWebhook.parse(incidentWebhook(seed, count)));

async function subscribe(
  label: string,
  topics: Array<{ groupId?: string; componentId?: string }>,
  confirmed = true,
) {
  return createSubscriber(
    { ...deps, mailer: deps.mailerFor(sesClient()), config },
    {
      email: uniqueEmail(label),
      topics: topics.map((topic) => ({ pageId: PAGE_ID, ...topic })),
      confirmed,
      level: 'all',
    },
  );
}

describe('fan-out and send', () => {
  it('mails each matching confirmed subscriber once per update, threaded, and never twice', async () => {
    const seed = { ...chatMessagesMayFail, id: `inc${Date.now()}` };
    const byComponent = await subscribe('component', [{ componentId: US_CHAT }]);
    const byRegionAndComponent = await subscribe('both', [
      { groupId: 'grp1produs01' },
      { componentId: US_CHAT },
    ]);
    const otherRegion = await subscribe('eu', [{ componentId: EU_CHAT }]);
    const unconfirmed = await subscribe('pending', [{ componentId: US_CHAT }], false);
    const mailer = deps.mailerFor(sesClient());
    const sendDeps = { ...deps, mailer, config };

    const sendUpdate = async (count: number) => {
      const result = await ingest(count, seed);
      if (result.kind !== 'incident') throw new Error('expected an incident');
      const updateId = result.notifying[0]!;
      const fanned = await fanOut(deps, { incidentId: result.incidentId, updateId });
      const requests = await writtenBatches(result.incidentId, updateId, fanned.batches);
      return { fanned, requests, sent: await sendDeliveries(sendDeps, requests) };
    };

    const first = await sendUpdate(1);
    expect(first.fanned.audience).toBe(2);
    expect(first.sent).toMatchObject({ sent: 2, failed: 0, retry: [] });
    // A retried stream batch finds the delivery records and sends nothing.
    expect(await sendDeliveries(sendDeps, first.requests)).toMatchObject({ sent: 0, alreadyDone: 2 });
    // A resumed fan-out keeps the batches it wrote and adds none; the sender still sends nothing twice.
    const { incidentId, updateId } = first.requests[0]!;
    const resumed = await fanOut(deps, { incidentId, updateId });
    expect(resumed).toMatchObject({ resumed: true, batches: first.fanned.batches });
    const rewritten = await writtenBatches(incidentId, updateId, resumed.batches);
    expect(await sendDeliveries(sendDeps, rewritten)).toMatchObject({ sent: 0, alreadyDone: 2 });

    await sendUpdate(2);
    // The unconfirmed subscriber got its confirmation mail, and nothing about the incident.
    expect((await mailTo([unconfirmed.email])).map((m) => m.subject)).toEqual([
      'Confirm your status update subscription',
    ]);
    const mails = await mailTo([byComponent, byRegionAndComponent, otherRegion].map((s) => s.email));
    expect(mails.map((m) => m.destination.to[0]).sort()).toEqual(
      [byComponent.email, byComponent.email, byRegionAndComponent.email, byRegionAndComponent.email].sort(),
    );
    const [firstMail, secondMail] = mails.filter((m) => m.destination.to[0] === byComponent.email);
    expect(secondMail!.subject).toBe(firstMail!.subject);
    const root = header(firstMail!, 'References');
    expect(root).toMatch(/^<incident\.[0-9a-f]{32}@notifier\.example\.com>$/);
    expect(header(secondMail!, 'References')).toBe(`${root} <${firstMail!.messageId}@email.amazonses.com>`);
    expect(header(secondMail!, 'In-Reply-To')).toBe(`<${firstMail!.messageId}@email.amazonses.com>`);
    expect(header(firstMail!, 'List-Unsubscribe')).toMatch(
      /^<https:\/\/status\.example\.com\/v1\/unsubscribe\?token=/,
    );
    expect(header(firstMail!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(secondMail!.body.text).toContain('Identified');
    expect(secondMail!.body.text).toContain('Prod1 (US): Channel - Chat');
    expect(secondMail!.body.html).toContain(`token=`);
  });

  it('a resumed fan-out keeps what it wrote and batches only who is new, after it', async () => {
    const seed = { ...chatMessagesMayFail, id: `res${Date.now()}` };
    const result = await ingest(1, seed);
    if (result.kind !== 'incident') throw new Error('expected an incident');
    const updateId = result.notifying[0]!;
    const key = { incidentId: result.incidentId, updateId };
    const first = await fanOut(deps, key);
    const before = await writtenBatches(result.incidentId, updateId, first.batches);
    const newcomer = await subscribe('newcomer', [{ componentId: US_CHAT }]);

    const resumed = await fanOut(deps, key);
    expect(resumed).toMatchObject({
      resumed: true,
      audience: first.audience + 1,
      batches: first.batches + 1,
    });
    const after = await writtenBatches(result.incidentId, updateId, resumed.batches);
    expect(after.slice(0, first.batches)).toEqual(before);
    expect(after.at(-1)?.recipients.map((r) => r.subscriberId)).toEqual([newcomer.id]);
    // What a fan-out run again writes says so: its sender reads delivery records whatever the claims say.
    expect(after.at(-1)?.resumed).toBe(true);
    expect(before.every((batch) => batch.resumed === undefined)).toBe(true);
    const everyone = after.flatMap((batch) => batch.recipients.map((r) => r.subscriberId));
    expect(new Set(everyone).size).toBe(everyone.length);
  });

  it('sends nobody twice from a batch no sender claimed yet when a fan-out ran again', async () => {
    const seed = { ...chatMessagesMayFail, id: `again${Date.now()}` };
    const person = await subscribe('again', [{ componentId: US_CHAT }]);
    const result = await ingest(1, seed);
    if (result.kind !== 'incident') throw new Error('expected an incident');
    const updateId = result.notifying[0]!;
    const fanned = await fanOut(deps, { incidentId: result.incidentId, updateId });
    const sendDeps = { ...deps, mailer: deps.mailerFor(sesClient()), config };
    await sendDeliveries(sendDeps, await writtenBatches(result.incidentId, updateId, fanned.batches));
    expect(await mailTo([person.email])).toHaveLength(1);
    // What a fan-out run again writes once the sweep deleted its batches, the audience having moved (the
    // previous test checks the mark): the person in a batch of a number nobody claimed, marked resumed.
    const moved = {
      ...batchOf({ incidentId: result.incidentId, updateId }, [person], 'again-1'),
      index: fanned.batches + 3,
      resumed: true,
    };
    expect(await sendDeliveries(sendDeps, [moved])).toMatchObject({ sent: 0, alreadyDone: 1 });
    expect(await mailTo([person.email])).toHaveLength(1);
  });

  it('reads at send time only whom the change log names, and skips whoever changed since the fan-out', async () => {
    const seed = { ...chatMessagesMayFail, id: `changed${Date.now()}` };
    const result = await ingest(1, seed);
    if (result.kind !== 'incident') throw new Error('expected an incident');
    const key = { incidentId: result.incidentId, updateId: result.notifying[0]! };
    const [kept, unsubscribed, erased, suppressed, suppressedLongAgo, movedZone] = await Promise.all(
      ['kept', 'unsub', 'erased', 'supp', 'old-supp', 'zone'].map((label) =>
        subscribe(label, [{ componentId: US_CHAT }]),
      ),
    );
    const batch = batchOf(
      key,
      [kept, unsubscribed, erased, suppressed, suppressedLongAgo, movedZone].map((p) => p!),
      'changed-0',
    );
    // Suppressed before this version kept a log: only the suppression list knows of it.
    await deps.db.send(
      new PutCommand({
        TableName: deps.tables.subscribers,
        Item: { pk: 'SUPPRESSIONS', sk: suppressedLongAgo!.email, email: suppressedLongAgo!.email },
      }),
    );
    // A sender's list, read before the changes below and kept: what changed after it is in the log.
    const suppressionList = cachedSuppressionList(deps.suppressions, { ttlMs: 60_000, max: 1_000 });
    await suppressionList.snapshot();
    const change = async (id: string, to: (r: SubscriberRecord) => SubscriberRecord) => {
      const record = (await deps.subscribers.get(id))!;
      await deps.subscribers.save(to(record), record);
    };
    await change(unsubscribed!.id, (r) => ({ ...r, status: 'unsubscribed' }));
    await change(movedZone!.id, (r) => ({ ...r, timeZone: 'Asia/Tokyo' }));
    await deps.subscribers.erase(erased!.id);
    await deps.suppressions.add({
      email: suppressed!.email,
      reason: 'bounced',
      createdAt: new Date().toISOString(),
      source: 'test',
    });

    const profilesRead: string[] = [];
    const subscribers = {
      getProfiles: (ids: readonly string[]) => {
        profilesRead.push(...ids);
        return deps.subscribers.getProfiles(ids);
      },
    };
    const mailer = deps.mailerFor(sesClient());
    const sent = await sendDeliveries({ ...deps, subscribers, suppressionList, mailer, config }, [batch]);

    expect(sent).toMatchObject({ sent: 2, skipped: 4 });
    expect(new Set(profilesRead)).toEqual(new Set([unsubscribed!.id, erased!.id, movedZone!.id]));
    const outcomes = await deps.deliveries.load(keysOf(batch));
    const outcomeOf = (id: string) => outcomes.get(deliveryId({ ...key, subscriberId: id }));
    expect(outcomeOf(unsubscribed!.id)).toMatchObject({
      status: 'skipped',
      error: 'subscriber unsubscribed',
    });
    expect(outcomeOf(erased!.id)).toMatchObject({ status: 'skipped', error: 'subscriber erased' });
    expect(outcomeOf(suppressed!.id)).toMatchObject({ status: 'skipped', error: 'address suppressed' });
    expect(outcomeOf(suppressedLongAgo!.id)).toMatchObject({
      status: 'skipped',
      error: 'address suppressed',
    });

    // The unread one's links are signed with their issue time, the one read with its nonce; both work.
    const tokenOf = async (email: string) => {
      const [mail] = await mailTo([email]);
      const token = header(mail!, 'List-Unsubscribe')?.match(/token=([^>]+)>/)?.[1];
      return parseLinkToken(decodeURIComponent(token ?? ''));
    };
    const keptToken = await tokenOf(kept!.email);
    expect(keptToken?.issuedAt).toBeGreaterThan(0);
    const keptRecord = (await deps.subscribers.get(kept!.id))!;
    expect(manageTokenMatches(config.linkSigningSecret, keptToken!, keptRecord.linkNonce)).toBe(true);
    const zoneToken = await tokenOf(movedZone!.email);
    expect(zoneToken?.issuedAt).toBeUndefined();
    const zoneRecord = (await deps.subscribers.get(movedZone!.id))!;
    expect(manageTokenMatches(config.linkSigningSecret, zoneToken!, zoneRecord.linkNonce)).toBe(true);
  });

  it('reads every recipient when the suppression list is too long to hold', async () => {
    const seed = { ...chatMessagesMayFail, id: `toolong${Date.now()}` };
    const result = await ingest(1, seed);
    if (result.kind !== 'incident') throw new Error('expected an incident');
    const key = { incidentId: result.incidentId, updateId: result.notifying[0]! };
    const [kept, suppressedLongAgo] = await Promise.all(
      ['long-kept', 'long-supp'].map((label) => subscribe(label, [{ componentId: US_CHAT }])),
    );
    await deps.db.send(
      new PutCommand({
        TableName: deps.tables.subscribers,
        Item: { pk: 'SUPPRESSIONS', sk: suppressedLongAgo!.email, email: suppressedLongAgo!.email },
      }),
    );
    const profilesRead: string[] = [];
    const subscribers = {
      getProfiles: (ids: readonly string[]) => {
        profilesRead.push(...ids);
        return deps.subscribers.getProfiles(ids);
      },
    };
    const suppressionList = cachedSuppressionList(deps.suppressions, { ttlMs: 0, max: 0 });
    const mailer = deps.mailerFor(sesClient());
    const batch = batchOf(key, [kept!, suppressedLongAgo!], 'long-0');
    const sent = await sendDeliveries({ ...deps, subscribers, suppressionList, mailer, config }, [batch]);
    expect(sent).toMatchObject({ sent: 1, skipped: 1 });
    expect(new Set(profilesRead)).toEqual(new Set([kept!.id, suppressedLongAgo!.id]));
  });

  it('retries throttled recipients, records refused ones, and sends the rest once', async () => {
    const seed = { ...chatMessagesMayFail, id: `thr${Date.now()}` };
    const result = await ingest(1, seed);
    if (result.kind !== 'incident') throw new Error('expected an incident');
    const good = await subscribe('good', [{ componentId: US_CHAT }]);
    const updateId = result.notifying[0]!;
    await fanOut(deps, { incidentId: result.incidentId, updateId });
    // An address SES refuses outright, planted behind the API's validation.
    const plantedId = randomUUID();
    await deps.subscribers.create(subscriberRecord({ id: plantedId, email: 'not an address' }));
    const key = { incidentId: result.incidentId, updateId };
    const requests = [
      batchOf(key, [good], 'good'),
      batchOf(key, [{ id: plantedId, email: 'not an address' }], 'refused'),
    ];

    // SES throttles three calls in a row: the sender backs off and retries twice, then hands the records
    // back to the stream, nothing lost and nothing marked.
    const throttled = sesClient();
    let calls = 0;
    throttled.middlewareStack.add(
      (next) => async (args) => {
        if (calls++ < 3) {
          throw Object.assign(new Error('Maximum sending rate exceeded'), {
            name: 'TooManyRequestsException',
            $metadata: { httpStatusCode: 429 },
          });
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const sendDeps = { ...deps, mailer: deps.mailerFor(throttled), config };
    expect(await sendDeliveries(sendDeps, requests)).toMatchObject({
      sent: 0,
      failed: 0,
      retry: ['good', 'refused'],
    });

    const retried = await sendDeliveries(sendDeps, requests);
    expect(retried).toMatchObject({ sent: 1, failed: 1, retry: [] });
    const deliveries = await deps.deliveries.load(requests.flatMap(keysOf));
    expect(deliveries.get(deliveryId(keysOf(requests[1]!)[0]!))).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/FAILED/),
    });
    expect(await mailTo([good.email])).toHaveLength(1);
  });
});

describe('per-entry throttling', () => {
  it('resends only the entry SES throttled, so every recipient gets exactly one mail', async () => {
    const seed = { ...chatMessagesMayFail, id: `ent${Date.now()}` };
    const result = await ingest(1, seed);
    if (result.kind !== 'incident') throw new Error('expected an incident');
    const people = [
      await subscribe('entry-a', [{ componentId: US_CHAT }]),
      await subscribe('entry-b', [{ componentId: US_CHAT }]),
    ];
    const updateId = result.notifying[0]!;
    await fanOut(deps, { incidentId: result.incidentId, updateId });

    // SES takes the call but throttles its first entry: that entry is not sent, the other is.
    const client = sesClient();
    let first = true;
    client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { BulkEmailEntries?: unknown[] };
        if (!first || !input.BulkEmailEntries?.length) return next(args);
        first = false;
        const output = await next({
          ...args,
          input: { ...input, BulkEmailEntries: input.BulkEmailEntries.slice(1) },
        });
        const results = (output.output as { BulkEmailEntryResults: unknown[] }).BulkEmailEntryResults;
        results.unshift({ Status: 'ACCOUNT_THROTTLED', Error: 'Maximum sending rate exceeded' });
        return output;
      },
      { step: 'initialize' },
    );
    const requests = [batchOf({ incidentId: result.incidentId, updateId }, people, '0')];
    const sent = await sendDeliveries({ ...deps, mailer: deps.mailerFor(client), config }, requests);
    expect(sent).toMatchObject({ sent: 2, failed: 0, retry: [] });
    const incidentMail = (await mailTo(people.map((p) => p.email))).filter((m) =>
      isAbout(m, result.incidentId),
    );
    expect(incidentMail.map((m) => m.destination.to[0]).sort()).toEqual(people.map((p) => p.email).sort());
  });
});

describe('refusals', () => {
  it('records what cannot succeed (a rejected message) as failed with its reason, and does not retry it', async () => {
    const seed = { ...chatMessagesMayFail, id: `pau${Date.now()}` };
    const result = await ingest(1, seed);
    if (result.kind !== 'incident') throw new Error('expected an incident');
    const person = await subscribe('paused', [{ componentId: US_CHAT }]);
    const updateId = result.notifying[0]!;
    await fanOut(deps, { incidentId: result.incidentId, updateId });
    const client = sesClient();
    client.middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('Email address is not verified'), {
          name: 'MessageRejected',
          $metadata: { httpStatusCode: 400 },
        });
      },
      { step: 'initialize' },
    );
    const request = batchOf({ incidentId: result.incidentId, updateId }, [person], 'p');
    expect(
      await sendDeliveries({ ...deps, mailer: deps.mailerFor(client), config }, [request]),
    ).toMatchObject({
      sent: 0,
      failed: 1,
      retry: [],
    });
    const deliveries = await deps.deliveries.load(keysOf(request));
    expect(deliveries.get(deliveryId(keysOf(request)[0]!))).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^MessageRejected/),
    });
  });
});

describe('SesMailer', () => {
  it('sends more than 50 recipients in bulk calls, each with its own headers and footer', async () => {
    const mailer = deps.mailerFor(sesClient());
    const recipients = Array.from({ length: 120 }, (_, n) => ({
      email: uniqueEmail(`bulk${n}`),
      headers: [{ name: 'References', value: `<root-${n}@x>` }],
      footer: { html: `<p>footer ${n}</p>`, text: `footer ${n}` },
      // Odd recipients read the window in a time zone of their own.
      ...(n % 2 ? { window: { html: `<p>window ${n}</p>`, text: `window in zone ${n}\n` } } : {}),
    }));
    const content = {
      subject: 'Bulk {{not a variable}}',
      htmlHead: '<h1>head</h1>',
      htmlBefore: '<p>hi {{x}}</p>',
      htmlAfter: '',
      textHead: 'head\n',
      window: { html: '<p>window</p>', text: 'window in the page zone\n' },
      text: 'hi {{x}}\n',
    };
    const outcomes = await mailer.sendBulk(content, recipients);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const mails = await mailTo(recipients.map((r) => r.email));
    expect(mails).toHaveLength(120);
    const mail77 = mails.find((m) => m.destination.to[0] === recipients[77]!.email)!;
    expect(header(mail77, 'References')).toBe('<root-77@x>');
    expect(mail77.body.text).toBe('head\nwindow in zone 77\nhi {{x}}\nfooter 77');
    const mail76 = mails.find((m) => m.destination.to[0] === recipients[76]!.email)!;
    expect(mail76.body.text).toBe('head\nwindow in the page zone\nhi {{x}}\nfooter 76');
    expect(mail77.subject).toBe('Bulk {{not a variable}}');
  });
});
