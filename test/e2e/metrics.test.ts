import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack';
import { METRIC, METRICS_NAMESPACE } from '../../shared/metric-names';
import { US_CHAT } from '../fixtures/seeds';
import { faultScenario } from '../support/fault-stack';
import { startTestStack } from '../support/stack';

/**
 * The functions' CloudWatch metrics, as Lambda would ship them: embedded metric format lines in the
 * function's output. The alarms and the dashboard read these names (infra/observability.ts).
 */
const lines: string[] = [];
const write = process.stdout.write.bind(process.stdout);
let stack: LocalStack;

beforeAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
  stack = await startTestStack('mt');
});

afterAll(async () => {
  process.stdout.write = write;
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  await stack?.stop();
});

/** Sums of each metric over every EMF line printed so far. */
function emitted(): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as {
      _aws?: { CloudWatchMetrics: Array<{ Namespace: string; Metrics: Array<{ Name: string }> }> };
      [name: string]: unknown;
    };
    for (const directive of entry._aws?.CloudWatchMetrics ?? []) {
      expect(directive.Namespace).toBe(METRICS_NAMESPACE);
      for (const { Name } of directive.Metrics) sums[Name] = (sums[Name] ?? 0) + Number(entry[Name]);
    }
  }
  return sums;
}

describe('metrics', () => {
  it('counts an update from webhook to mail: ingested, matched, sent', { timeout: 60_000 }, async () => {
    const scenario = faultScenario(stack);
    await scenario.followers(3, 'metrics', US_CHAT);
    expect((await scenario.postIncident(US_CHAT)).status).toBe(202);
    await stack.waitForIdle(30_000);
    expect(emitted()).toMatchObject({
      [METRIC.updatesIngested]: 1,
      [METRIC.recipientsMatched]: 3,
      [METRIC.mailsSent]: 3,
      [METRIC.mailsFailed]: 0,
    });
    expect(emitted()[METRIC.maxSendRate]).toBeGreaterThan(0);

    await stack.runScheduled('sweeper');
    expect(emitted()).toMatchObject({ [METRIC.stalePendingRecipients]: 0, [METRIC.sendingPaused]: 0 });
  });
});
