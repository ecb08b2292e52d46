import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ComputeStack } from './compute-stack';
import { DataStack } from './data-stack';

/**
 * `cdk synth` / `cdk deploy`. Context: `mailDomain` (verified in SES), `mailFrom` (an address on it),
 * `embedOrigins` (the sites that may frame the subscribe form, space-separated). cdk-nag's AWS Solutions
 * rules run at every synth and fail it on any finding not fixed or acknowledged with a reason.
 */
export function buildApp(app = new App()) {
  const mailDomain = String(app.node.tryGetContext('mailDomain') ?? 'notifier.example.com');
  const mailFrom = String(app.node.tryGetContext('mailFrom') ?? `status@${mailDomain}`);
  const embedOrigins = app.node.tryGetContext('embedOrigins') as string | undefined;
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };

  const data = new DataStack(app, 'StatusNotifierData', { env, mailDomain });
  const compute = new ComputeStack(app, 'StatusNotifierCompute', {
    env,
    tables: data.tables,
    secrets: data.secrets,
    mail: { from: mailFrom, identity: data.identity, configurationSet: data.configurationSet },
    ...(embedOrigins ? { embedOrigins } : {}),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, data, compute };
}

if (import.meta.url === `file://${process.argv[1]}`) buildApp().app.synth();
