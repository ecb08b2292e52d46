import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack';
import { faultScenario } from '../support/fault-stack';
import { startTestStack } from '../support/stack';

/** An account whose send rate is far below the audience: the backlog drains at that rate, nothing parked. */
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack('sr', { env: { SES_MAX_SEND_RATE: '40' } });
});

afterAll(async () => {
  await stack?.stop();
});

describe('a fan-out bigger than the send rate', () => {
  it('drains at that rate for as long as it takes, every mail once, nothing parked', {
    timeout: 60_000,
  }, async () => {
    const scenario = faultScenario(stack);
    const emails = await scenario.followers(200, 'rate');
    const started = Date.now();

    await scenario.postIncident();
    await stack.waitForIdle(50_000);

    // 200 mails at 40 a second: the last cannot go out before the fifth second has begun.
    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
    expect(new Set(await scenario.mailsPerAddress(emails))).toEqual(new Set([1]));
    expect((await scenario.deliveryStatuses(emails)).counts).toEqual({ sent: 200 });
    expect(stack.pollers.sender?.failures).toEqual([]);
  });
});
