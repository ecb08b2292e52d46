import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../infra/local/lambda-context';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import { AdminApi } from '../../shared/adapters/admin-api';
import { httpSmokeApi } from '../../shared/adapters/smoke-api';
import { SMOKE_ADDRESS, smokeCheck } from '../../shared/usecases/smoke-check';
import { mailTo } from '../support/local-aws';
import { startTestStack } from '../support/stack';

// The deploy's smoke check against a running stack: through its real webhook route and admin API.
let stack: LocalStack;
/** CodeDeploy cannot run here: a stand-in on its wire protocol records what the hook reports. */
const reported: Array<{ target: string; body: Record<string, unknown> }> = [];
const codedeploy = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => {
    reported.push({ target: String(req.headers['x-amz-target']), body: JSON.parse(body) });
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{}');
  });
});
beforeAll(async () => {
  await new Promise<void>((resolve) => codedeploy.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL_CODEDEPLOY = `http://127.0.0.1:${(codedeploy.address() as AddressInfo).port}`;
  stack = await startTestStack('sm');
});
afterAll(async () => {
  await stack?.stop();
  codedeploy.close();
  delete process.env.AWS_ENDPOINT_URL_CODEDEPLOY;
});

const deps = (webhookToken: string = LOCAL_DEFAULTS.WEBHOOK_TOKEN) => ({
  api: httpSmokeApi(stack.apiUrl, { adminKey: LOCAL_DEFAULTS.ADMIN_API_KEY, webhookToken }),
  clock: { now: () => new Date() },
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
});

describe('the deploy smoke check', () => {
  it('gets one synthetic incident from webhook to SES, again on every run', { timeout: 60_000 }, async () => {
    const first = await smokeCheck(deps(), { timeoutMs: 20_000 });
    expect(first).toMatchObject({ ok: true, incidentId: expect.any(String) });
    // Nobody is offered the smoke page, nor can subscribe to it.
    const catalog = (await (await fetch(`${stack.apiUrl}/v1/catalog`)).json()) as {
      pages: Array<{ id: string }>;
    };
    expect(catalog.pages.map((p) => p.id)).not.toContain('smoke-check');
    expect((await fetch(`${stack.apiUrl}/subscribe?page=smoke-check`)).status).toBe(404);
    // Its subscriber unsubscribed meanwhile (a link in a smoke mail): the next check puts it back.
    const admin = new AdminApi(stack.apiUrl, LOCAL_DEFAULTS.ADMIN_API_KEY);
    const [simulator] = (await admin.searchSubscribers({ email: SMOKE_ADDRESS })).items;
    await admin.changeSubscriber(simulator!.id, { status: 'unsubscribed' });
    // Ids from the moment: a second deploy's check is a new incident, not a replayed one.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await smokeCheck(deps(), { timeoutMs: 20_000 });
    expect(second).toMatchObject({ ok: true, incidentId: expect.any(String) });
    expect('incidentId' in second && 'incidentId' in first && second.incidentId !== first.incidentId).toBe(
      true,
    );
    const mails = (await mailTo([SMOKE_ADDRESS])).filter((m) => m.subject.includes('Deployment smoke check'));
    expect(mails).toHaveLength(2);
  });

  it('reports its verdict to CodeDeploy as the post-traffic hook of a deploy', {
    timeout: 60_000,
  }, async () => {
    const { handler } = await import('../../functions/smoke');
    const result = await handler(
      { DeploymentId: 'd-SMOKE1', LifecycleEventHookExecutionId: 'hook-1' },
      lambdaContext('smoke', 300),
    );
    expect(result).toMatchObject({ ok: true });
    expect(reported).toEqual([
      {
        target: 'CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus',
        body: { deploymentId: 'd-SMOKE1', lifecycleEventHookExecutionId: 'hook-1', status: 'Succeeded' },
      },
    ]);
  });

  it('fails, saying why, when the webhook is refused or no mail goes out', { timeout: 60_000 }, async () => {
    expect(await smokeCheck(deps('not-the-token'), { timeoutMs: 5_000 })).toEqual({
      ok: false,
      reason: 'the webhook was answered 404, notifying nothing',
    });
    await stack.pollers.sender?.stop();
    expect(await smokeCheck(deps(), { timeoutMs: 3_000 })).toEqual({
      ok: false,
      reason: 'no mail accepted by SES within 3 s of the webhook',
    });
    // That smoke mail is pending now: the next check does not wait behind real mail, and passes.
    expect(await smokeCheck(deps(), { timeoutMs: 3_000 })).toEqual({
      ok: true,
      skipped: '1 recipient(s) still pending: the smoke mail would wait behind them',
    });
  });
});
