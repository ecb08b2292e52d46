import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ComputeStack } from './compute-stack';
import { DataStack } from './data-stack';
import { EdgeStack } from './edge-stack';

/**
 * `cdk synth` / `cdk deploy`. Context: `mailDomain` (verified in SES), `mailFrom` (an address on it),
 * `embedOrigins` (the sites that may frame the subscribe form, space-separated), `waf` (`true`: the
 * public routes behind CloudFront and an AWS WAF rate limit; needs the region known). cdk-nag's AWS Solutions
 * rules run at every synth and fail it on any finding not fixed or acknowledged with a reason.
 */
export function buildApp(app = new App()) {
  const mailDomain = String(app.node.tryGetContext('mailDomain') ?? 'notifier.example.com');
  const mailFrom = String(app.node.tryGetContext('mailFrom') ?? `status@${mailDomain}`);
  const embedOrigins = app.node.tryGetContext('embedOrigins') as string | undefined;
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };

  const waf = String(app.node.tryGetContext('waf') ?? 'false') === 'true';
  if (waf && !env.region)
    throw new Error('-c waf=true needs the region known at synth: set AWS_REGION or use --profile');
  // A CloudFront web ACL is made in us-east-1; the compute stack reads its ARN across regions.
  const edge = waf
    ? new EdgeStack(app, 'StatusNotifierEdge', {
        env: { account: env.account, region: 'us-east-1' },
        crossRegionReferences: true,
      })
    : undefined;

  const data = new DataStack(app, 'StatusNotifierData', { env, mailDomain });
  const compute = new ComputeStack(app, 'StatusNotifierCompute', {
    env,
    ...(edge ? { webAclArn: edge.webAcl.attrArn, crossRegionReferences: true } : {}),
    tables: data.tables,
    secrets: data.secrets,
    mail: { from: mailFrom, identity: data.identity, configurationSet: data.configurationSet },
    ...(embedOrigins ? { embedOrigins } : {}),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, data, compute, edge };
}

if (import.meta.url === `file://${process.argv[1]}`) buildApp().app.synth();
