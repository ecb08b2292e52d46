import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_MAX_PARALLELIZATION, type LocalStack } from '../../infra/local/stack';
import { type Fault, type FaultProxy, type ProxiedRequest, startFaultProxy } from '../support/fault-proxy';
import { faultScenario } from '../support/fault-stack';
import { runSeed, seededRandom, shuffled } from '../support/random';
import { startTestStack } from '../support/stack';

/**
 * SES on a bad day, through a proxy in front of the SES emulator: the sender talks to it as to SES and
 * gets SES's errors, dropped connections, throttles, a spent daily quota and refusals. Whatever happens,
 * each follower gets the update once, or its delivery says why not. One stack for the file (handlers
 * read their configuration once, as at a cold start); each test has a component and followers of its own.
 */
let stack: LocalStack;
let proxy: FaultProxy;
let scenario: ReturnType<typeof faultScenario>;

beforeAll(async () => {
  proxy = await startFaultProxy(inject('sesEndpoint'));
  // Stale at once: the sweep is run by hand here, where EventBridge would run it every minute.
  stack = await startTestStack('sf', { ses: { endpoint: proxy.url }, env: { PENDING_STALE_MINUTES: '0' } });
  scenario = faultScenario(stack);
});

afterAll(async () => {
  await stack?.stop();
  await proxy?.stop();
});

const COMPONENTS = {
  transient: 'cmpchatus001',
  rejected: 'cmpemailus01',
  stranded: 'cmpchateu001',
  quota: 'cmpapi000001',
};

const isBulkSend = (request: ProxiedRequest) =>
  request.method === 'POST' && request.path.startsWith('/v2/email/outbound-bulk-emails');
const forward: Fault = { kind: 'forward' };
const sesError = (status: number, type: string, message: string): Fault => ({
  kind: 'error',
  status,
  type,
  message,
});

/** Sends every other entry of the call and answers ACCOUNT_THROTTLED for the others, as SES does per entry. */
function throttleEveryOtherEntry(): Fault {
  let kept: boolean[] = [];
  return {
    kind: 'rewrite',
    request: (body) => {
      kept = body.BulkEmailEntries.map((_: unknown, index: number) => index % 2 === 0);
      return { ...body, BulkEmailEntries: body.BulkEmailEntries.filter((_: unknown, i: number) => kept[i]) };
    },
    response: (body) => {
      const sent = [...body.BulkEmailEntryResults];
      return {
        BulkEmailEntryResults: kept.map((keep) =>
          keep ? sent.shift() : { Status: 'ACCOUNT_THROTTLED', Error: 'Maximum sending rate exceeded.' },
        ),
      };
    },
  };
}

describe('SES faults', () => {
  it('sends every mail once through 20% transient failures, timeouts, resets and throttling', {
    timeout: 120_000,
  }, async () => {
    const seed = runSeed();
    const random = seededRandom(seed);
    // Of every 10 bulk calls (the first round alone makes 12): 2 transient failures (20%; a 5xx or a
    // dropped connection, in turns), 1 throttled whole, 1 throttled per entry; plus one call that hangs.
    let transient = 0;
    const cycle: Array<() => Fault> = shuffled(
      [
        () =>
          transient++ % 2 === 0
            ? sesError(503, 'ServiceUnavailable', 'Service is unavailable. Please try again.')
            : { kind: 'reset' },
        () =>
          transient++ % 2 === 0
            ? sesError(500, 'InternalFailure', 'We encountered an internal error. Please try again.')
            : { kind: 'reset' },
        () => sesError(429, 'TooManyRequestsException', 'Maximum sending rate exceeded.'),
        throttleEveryOtherEntry,
        ...Array.from({ length: 6 }, () => () => forward),
      ],
      random,
    );
    let calls = 0;
    let position = 0;
    proxy.decide = (request) => {
      if (!isBulkSend(request)) return forward;
      calls++;
      // One call hangs until the sender's own request timeout gives up on it.
      if (calls === 2) return { kind: 'hang' };
      return (cycle[position++ % cycle.length] as () => Fault)();
    };
    const emails = await scenario.followers(600, `sf${seed}`, COMPONENTS.transient);

    expect((await scenario.postIncident(COMPONENTS.transient)).status).toBeLessThan(300);
    await stack.waitForIdle(90_000);

    const injected = new Set(
      proxy.log.filter((entry) => isBulkSend(entry.request)).map((entry) => entry.fault),
    );
    console.log(`SES faults (seed ${seed}): ${calls} bulk calls, kinds ${[...injected].join(', ')}`);
    expect([...injected].sort()).toEqual(['error', 'forward', 'hang', 'reset', 'rewrite']);
    expect(new Set(await scenario.mailsPerAddress(emails))).toEqual(new Set([1]));
    expect((await scenario.deliveryStatuses(emails)).counts).toEqual({ sent: 600 });
    expect(stack.pollers.sender?.failures).toEqual([]);
  });

  it('records a permanent rejection on the delivery and never retries it', async () => {
    const asked: string[] = [];
    proxy.decide = (request) => {
      if (!isBulkSend(request)) return forward;
      for (const entry of JSON.parse(request.body).BulkEmailEntries)
        asked.push(entry.Destination.ToAddresses[0]);
      return sesError(400, 'MessageRejected', 'Email address is not verified.');
    };
    const emails = await scenario.followers(60, 'rejected', COMPONENTS.rejected);

    await scenario.postIncident(COMPONENTS.rejected);
    await stack.waitForIdle(60_000);

    const { counts, errors } = await scenario.deliveryStatuses(emails);
    expect(counts).toEqual({ failed: 60 });
    expect(new Set(errors)).toEqual(new Set(['MessageRejected: Email address is not verified.']));
    // Each address asked about once, however the stream batched them: a refusal is not retried in a loop.
    expect(asked.sort()).toEqual([...emails].sort());
    expect(await scenario.mailsPerAddress(emails)).toEqual(emails.map(() => 0));
    expect(stack.pollers.sender?.failures).toEqual([]);
  });

  it('sends deliveries whose stream records were set aside and never redriven, through the sweep', {
    timeout: 90_000,
  }, async () => {
    proxy.decide = (request) =>
      isBulkSend(request) ? sesError(503, 'ServiceUnavailable', 'Service is unavailable.') : forward;
    const emails = await scenario.followers(80, 'stranded', COMPONENTS.stranded);

    await scenario.postIncident(COMPONENTS.stranded);
    await stack.waitForIdle(60_000);
    // Every retry failed: the batch went to the failure destination, the stream moved on.
    expect(stack.pollers.sender?.failures.length).toBeGreaterThan(0);
    expect((await scenario.deliveryStatuses(emails)).counts).toEqual({ pending: 80 });

    // SES recovers; nobody replays the failure log (it expired, or was forgotten).
    proxy.decide = () => forward;
    expect(await stack.runScheduled('sweeper')).toMatchObject({ redriven: 80 });
    await stack.waitForIdle();
    expect(new Set(await scenario.mailsPerAddress(emails))).toEqual(new Set([1]));
    expect((await scenario.deliveryStatuses(emails)).counts).toEqual({ sent: 80 });
    // With nothing pending, every update is settled and the sweep stops looking at them.
    expect(await stack.runScheduled('sweeper')).toMatchObject({ redriven: 0 });
    expect(await stack.runScheduled('sweeper')).toMatchObject({ stale: 0 });
    stack.pollers.sender?.failures.splice(0); // looked at: the next test starts with none
  });
  it('pauses on a spent daily quota without failing anyone, and resumes by itself once SES accepts again', {
    timeout: 90_000,
  }, async () => {
    let quotaLeft = 1; // bulk calls SES still takes today
    let refused = 0;
    proxy.decide = (request) => {
      if (!isBulkSend(request)) return forward;
      if (quotaLeft-- > 0) return forward;
      refused++;
      return sesError(400, 'LimitExceededException', 'Daily message quota exceeded.');
    };
    const emails = await scenario.followers(150, 'quota', COMPONENTS.quota);

    await scenario.postIncident(COMPONENTS.quota);
    await stack.waitForIdle(60_000);

    // One call went out (as many as the first stream batch held, up to 50); the rest wait, none failed.
    const held = (await scenario.deliveryStatuses(emails)).counts;
    expect(Object.keys(held).sort()).toEqual(['pending', 'sent']);
    expect((held.sent ?? 0) + (held.pending ?? 0)).toBe(150);
    const pause = await scenario.db.send(
      new GetCommand({ TableName: stack.tables.subscribers, Key: { pk: 'SENDPAUSE', sk: 'ACCOUNT' } }),
    );
    expect(pause.Item).toMatchObject({ reason: expect.stringMatching(/Daily message quota exceeded/) });
    // Asked once more by each sender running at the time (two lanes locally), told no, then left alone:
    // no record parked, no call hammering a closed door.
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(refused).toBeLessThanOrEqual(LOCAL_MAX_PARALLELIZATION);
    expect(stack.pollers.sender?.failures).toEqual([]);
    // The sweep leaves everything be while the pause lasts.
    expect(await stack.runScheduled('sweeper')).toMatchObject({ paused: true, redriven: 0 });

    // A day later (the pause's end, brought forward), SES takes mail again; nobody redrives anything.
    quotaLeft = Number.POSITIVE_INFINITY;
    await scenario.db.send(
      new PutCommand({ TableName: stack.tables.subscribers, Item: { ...pause.Item, until: Date.now() - 1 } }),
    );
    const deadline = Date.now() + 60_000;
    while ((await scenario.deliveryStatuses(emails)).counts.pending && Date.now() < deadline) {
      await stack.runScheduled('sweeper'); // EventBridge runs it every minute
      await stack.waitForIdle(60_000);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect((await scenario.deliveryStatuses(emails)).counts).toEqual({ sent: 150 });
    expect(new Set(await scenario.mailsPerAddress(emails))).toEqual(new Set([1]));
    expect(stack.pollers.sender?.failures).toEqual([]);
  });
});
