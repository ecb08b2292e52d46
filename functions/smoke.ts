import { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import middy from '@middy/core';
import { httpSmokeApi } from '../shared/adapters/smoke-api';
import * as z from '../shared/domain/zod';
import { FUNCTION_ENV } from '../shared/function-env';
import { log } from '../shared/log';
import { observed } from '../shared/observed';
import { systemClock } from '../shared/ports';
import { loadConfig } from '../shared/secrets';
import { smokeCheck } from '../shared/usecases/smoke-check';

const env = await loadConfig(FUNCTION_ENV.smoke);
const codedeploy = new CodeDeployClient({});
const deps = {
  api: httpSmokeApi(env.PUBLIC_BASE_URL, { adminKey: env.ADMIN_API_KEY, webhookToken: env.WEBHOOK_TOKEN }),
  clock: systemClock,
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

/** Well within the hook's hour, and long enough for a mail behind a short backlog. */
const SMOKE_TIMEOUT_MS = 4 * 60_000;

const HookEvent = z.object({ DeploymentId: z.string(), LifecycleEventHookExecutionId: z.string() });

/** CodeDeploy's post-traffic hook: the smoke check, and its verdict back to CodeDeploy (Failed rolls back). */
export const handler = middy()
  .use(observed({ counts: false }))
  .handler(async (event) => {
    const hook = HookEvent.parse(event);
    const result = await smokeCheck(deps, { timeoutMs: SMOKE_TIMEOUT_MS }).catch((error: unknown) => ({
      ok: false as const,
      reason: error instanceof Error ? error.message : String(error),
    }));
    if (result.ok && 'skipped' in result)
      log.warn('smoke check skipped', { deploymentId: hook.DeploymentId, ...result });
    else if (result.ok) log.info('smoke check passed', { deploymentId: hook.DeploymentId, ...result });
    else
      log.error('smoke check failed: the deploy rolls back', { deploymentId: hook.DeploymentId, ...result });
    await codedeploy.send(
      new PutLifecycleEventHookExecutionStatusCommand({
        deploymentId: hook.DeploymentId,
        lifecycleEventHookExecutionId: hook.LifecycleEventHookExecutionId,
        status: result.ok ? 'Succeeded' : 'Failed',
      }),
    );
    return result;
  });
