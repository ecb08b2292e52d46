import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app';
import { functionSpecs } from '../../infra/functions';

// Synthesizes both stacks once (esbuild bundles each function) and checks the wiring, not a snapshot.
let data: Template;
let compute: Template;
let assemblyDir: string;
let appRoot: App;
beforeAll(() => {
  const {
    app,
    data: dataStack,
    compute: computeStack,
  } = buildApp(
    new App({ context: { mailDomain: 'status.example.com', embedOrigins: 'https://status.example.com' } }),
  );
  appRoot = app;
  data = Template.fromStack(dataStack);
  compute = Template.fromStack(computeStack);
  assemblyDir = app.synth().directory;
}, 120_000);

type Resource = { Properties: Record<string, any> };
const functionsIn = (template: Template) =>
  template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
const functionLogicalId = (name: string) =>
  Object.keys(functionsIn(compute)).find((id) =>
    id.startsWith(name.charAt(0).toUpperCase() + name.slice(1)),
  )!;

/** An event source mapping's function: `<function name>:live`, the name taken from the alias's ARN. */
const invoking = (name: string) => ({
  'Fn::Join': ['', [{ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: aliasLogicalId(name) }] }] }, ':live']],
});

/** The logical id of a function's `live` alias, which everything that invokes it targets. */
const aliasLogicalId = (name: string) =>
  Object.entries(compute.findResources('AWS::Lambda::Alias') as Record<string, Resource>).find(
    ([, alias]) => alias.Properties.FunctionName.Ref === functionLogicalId(name),
  )![0];

function actionsOf(functionName: string): string[] {
  const role = functionsIn(compute)[functionLogicalId(functionName)]!.Properties.Role['Fn::GetAtt'][0];
  const policies = Object.values(
    compute.findResources('AWS::IAM::Policy') as Record<string, Resource>,
  ).filter((p) => p.Properties.Roles.some((r: any) => r.Ref === role));
  return policies.flatMap((p) =>
    p.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()),
  );
}

describe('data stack', () => {
  it('keeps every table, with point-in-time recovery', () => {
    const tables = Object.values(data.findResources('AWS::DynamoDB::Table') as Record<string, any>);
    expect(tables).toHaveLength(4);
    for (const table of tables) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties.DeletionProtectionEnabled).toBe(true);
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    }
  });

  it('streams incidents and deliveries, expires deliveries and pending subscribers, and indexes subscribers by topic and address', () => {
    data.resourcePropertiesCountIs(
      'AWS::DynamoDB::Table',
      { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } },
      2,
    );
    data.resourcePropertiesCountIs(
      'AWS::DynamoDB::Table',
      { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } },
      3, // subscribers (pending, rate limits, keys), deliveries, incidents (reminder files)
    );
    data.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'byTopic',
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['email', 'status', 'level'] },
        }),
        Match.objectLike({
          IndexName: 'byAddress',
          KeySchema: [
            { AttributeName: 'addressKey', KeyType: 'HASH' },
            { AttributeName: 'email', KeyType: 'RANGE' },
          ],
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: ['subscriberId', 'status', 'pageIds', 'groupIds', 'componentIds'],
          },
        }),
      ],
    });
  });

  it('verifies the sending domain with Easy DKIM and a custom MAIL FROM', () => {
    data.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'status.example.com',
      MailFromAttributes: { MailFromDomain: 'bounce.status.example.com' },
    });
  });
});

describe('SES feedback', () => {
  it('sends bounces, complaints and deliveries to EventBridge and on to the feedback function, with retries and a dead-letter queue', () => {
    data.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint', 'delivery', 'reject', 'renderingFailure'],
        EventBridgeDestination: Match.anyValue(),
      }),
    });
    compute.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ses'],
        detail: {
          eventType: ['Bounce', 'Complaint', 'Delivery', 'Reject', 'Rendering Failure'],
          mail: { tags: { 'ses:configuration-set': [Match.anyValue()] } },
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: aliasLogicalId('feedback') },
          RetryPolicy: { MaximumRetryAttempts: 4 },
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
    // What the function itself fails on, after Lambda's retries, lands in a queue too.
    compute.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });
});

describe('compute stack', () => {
  it('runs every function on Node 24, arm64, traced, its runtime (and SDK) changed only by a deploy', () => {
    const all = Object.values(functionsIn(compute));
    expect(all).toHaveLength(Object.keys(functionSpecs).length);
    for (const fn of all) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        RuntimeManagementConfig: { UpdateRuntimeOn: 'FunctionUpdate' },
      });
    }
  });

  it('serves the routes users and other parts rely on', () => {
    const routes = Object.values(
      compute.findResources('AWS::ApiGatewayV2::Route') as Record<string, Resource>,
    ).map((r) => r.Properties.RouteKey);
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /v1/webhooks/statuspage/{token}',
        'GET /v1/catalog',
        'GET /v1/health',
        'PUT /v1/admin/pages/{pageId}/components',
        'POST /v1/admin/subscribers',
        'GET /v1/admin/subscribers',
        'POST /v1/subscriptions',
        'GET /v1/unsubscribe',
        'POST /v1/unsubscribe',
        'GET /v1/preferences',
        'PUT /v1/preferences',
      ]),
    );
  });

  it('routes every API path to its function', () => {
    for (const spec of Object.values(functionSpecs)) {
      for (const route of 'routes' in spec ? spec.routes : []) {
        compute.hasResourceProperties('AWS::ApiGatewayV2::Route', {
          RouteKey: `${route.method} ${route.path}`,
        });
      }
    }
  });

  it('wires each stream with filtering, bisect, bounded retries, partial batch responses and an on-failure queue', () => {
    compute.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: invoking('fanout'),
      BatchSize: 10,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { notify: { BOOL: [true] } } },
            }),
          },
        ],
      },
    });
    compute.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: invoking('sender'),
      BatchSize: 10,
      ParallelizationFactor: 10,
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT', 'MODIFY'],
              dynamodb: { NewImage: { kind: { S: ['sendBatch'] } } },
            }),
          },
        ],
      },
    });
    compute.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: invoking('endpoints'),
      // Up to 40 batches of 50 endpoints: an update's deliveries to a lane come in few invocations.
      BatchSize: 40,
      ParallelizationFactor: 10,
      // The fan-out's batches of endpoints, or deliveries due again: never a mail batch.
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT', 'MODIFY'],
              dynamodb: { NewImage: { kind: { S: ['endpointBatch'] } } },
            }),
          },
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT', 'MODIFY'],
              dynamodb: { NewImage: { channel: { S: ['webhook'] }, due: { BOOL: [true] } } },
            }),
          },
        ],
      },
    });
    compute.resourceCountIs('AWS::SQS::Queue', 4); // three stream consumers and the SES events
  });

  it('alarms on what needs an operator, each alarm saying what to do', () => {
    const alarms = Object.values(compute.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>);
    const on = (namespace: string, metricName: string) =>
      alarms.filter((a) => a.Properties.Namespace === namespace && a.Properties.MetricName === metricName);
    const functionCount = Object.keys(functionSpecs).length;
    // Errors and throttles of every function; iterator age of both streams; the three failure queues.
    // Operator alarms on every function, and (for every function CodeDeploy deploys) alarms on the
    // version being deployed, which roll it back.
    const ofVersion = (a: Resource) => a.Properties.Dimensions.some((d: any) => d.Name === 'Resource');
    const deployed = functionCount - 1; // not the smoke check: it is a hook
    expect(on('AWS/Lambda', 'Errors').filter((a) => !ofVersion(a))).toHaveLength(functionCount);
    expect(on('AWS/Lambda', 'Throttles').filter((a) => !ofVersion(a))).toHaveLength(functionCount);
    expect(on('AWS/Lambda', 'Errors').filter(ofVersion)).toHaveLength(deployed);
    // Errors of the version being deployed only: the old one still takes most of the traffic.
    for (const alarm of on('AWS/Lambda', 'Errors').filter(ofVersion))
      expect(alarm.Properties.Dimensions.map((d: any) => d.Name).sort()).toEqual([
        'ExecutedVersion',
        'FunctionName',
        'Resource',
      ]);
    expect(on('AWS/Lambda', 'Throttles').filter(ofVersion)).toHaveLength(deployed);
    expect(on('AWS/Lambda', 'IteratorAge')).toHaveLength(3);
    expect(on('AWS/SQS', 'ApproximateNumberOfMessagesVisible')).toHaveLength(4);
    // Webhooks: endpoints quarantined, deliveries failed for good, a retry backlog that does not drain;
    // chat messages a platform refused as malformed (ours to fix).
    for (const metric of [
      'EndpointsQuarantined',
      'EndpointsFailed',
      'EndpointRetriesDue',
      'ChatMessagesRefused',
    ])
      expect(on('StatusNotifier', metric), metric).toHaveLength(1);
    // The pipeline's own: recipients pending too long, SES taking no mail, reputation near SES's review.
    expect(on('StatusNotifier', 'StalePendingRecipients')).toHaveLength(1);
    expect(on('StatusNotifier', 'SendingPaused')).toHaveLength(1);
    expect(on('AWS/SES', 'Reputation.BounceRate')[0]?.Properties.Threshold).toBe(0.04);
    expect(on('AWS/SES', 'Reputation.ComplaintRate')[0]?.Properties.Threshold).toBe(0.0008);
    expect(alarms).toHaveLength(functionCount * 2 + deployed * 2 + 3 + 4 + 4 + 4);
    for (const alarm of alarms)
      expect(alarm.Properties.AlarmDescription).toMatch(/docs\/runbook\.md#[a-z-]+/);
  });

  it('draws one dashboard of the pipeline from webhook to inbox', () => {
    const dashboards = Object.values(
      compute.findResources('AWS::CloudWatch::Dashboard') as Record<string, Resource>,
    );
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);
    for (const metric of [
      'UpdatesIngested',
      'RecipientsMatched',
      'MailsSent',
      'MailsFailed',
      'MailsSkipped',
      'MaxSendRate',
      'Bounces',
      'Complaints',
      'IteratorAge',
      'ApproximateNumberOfMessagesVisible',
    ])
      expect(body).toContain(metric);
    compute.hasOutput('DashboardName', {});
  });

  it('deploys every function as a retained version behind a live alias, shifted by a canary that rolls back on alarm', () => {
    const names = Object.keys(functionSpecs);
    const aliases = Object.values(compute.findResources('AWS::Lambda::Alias') as Record<string, Resource>);
    expect(aliases).toHaveLength(names.length);
    for (const alias of aliases) expect(alias.Properties.Name).toBe('live');
    const versions = Object.values(compute.findResources('AWS::Lambda::Version') as Record<string, any>);
    expect(versions).toHaveLength(names.length);
    for (const version of versions) expect(version.DeletionPolicy).toBe('Retain');

    const groups = Object.values(
      compute.findResources('AWS::CodeDeploy::DeploymentGroup') as Record<string, Resource>,
    );
    // Every function but the smoke check, which is the sender's post-traffic hook.
    expect(groups).toHaveLength(names.length - 1);
    const senderAlias = compute.findResources('AWS::Lambda::Alias')[aliasLogicalId('sender')] as any;
    expect(senderAlias.UpdatePolicy.CodeDeployLambdaAliasUpdate.AfterAllowTrafficHook).toEqual({
      Ref: functionLogicalId('smoke'),
    });
    for (const group of groups) {
      expect(group.Properties.DeploymentConfigName).toBe('CodeDeployDefault.LambdaCanary10Percent5Minutes');
      expect(group.Properties.AutoRollbackConfiguration).toEqual({
        Enabled: true,
        Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'],
      });
      expect(group.Properties.AlarmConfiguration.Alarms).toHaveLength(2);
    }
    for (const name of names.filter((n) => n !== 'smoke')) {
      const alias = compute.findResources('AWS::Lambda::Alias')[aliasLogicalId(name)] as any;
      expect(alias.UpdatePolicy.CodeDeployLambdaAliasUpdate).toBeDefined();
    }
  });

  it('points every route, stream, schedule and event rule at an alias, never at a function directly', () => {
    const aliasIds = new Set(Object.keys(compute.findResources('AWS::Lambda::Alias')));
    const integrations = Object.values(
      compute.findResources('AWS::ApiGatewayV2::Integration') as Record<string, Resource>,
    );
    expect(integrations.length).toBeGreaterThan(0);
    for (const integration of integrations)
      expect(aliasIds).toContain(integration.Properties.IntegrationUri.Ref);
    const mappings = Object.values(
      compute.findResources('AWS::Lambda::EventSourceMapping') as Record<string, Resource>,
    );
    expect(mappings).toHaveLength(3);
    // A mapping names its function as `<function name>:live`, the name taken from the alias's ARN.
    for (const mapping of mappings) {
      const named = JSON.stringify(mapping.Properties.FunctionName);
      expect(named).toContain(':live');
      expect([...aliasIds].some((id) => named.includes(`{"Ref":"${id}"}`))).toBe(true);
    }
    const rules = Object.values(compute.findResources('AWS::Events::Rule') as Record<string, Resource>);
    for (const rule of rules)
      for (const target of rule.Properties.Targets) expect(aliasIds).toContain(target.Arn.Ref);
  });

  it('runs the pending-delivery sweep every minute', () => {
    compute.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { Ref: aliasLogicalId('sweeper') } })],
    });
  });

  it('names each on-failure queue in an output, for status-notifier redrive --queue', () => {
    const queues = compute.findResources('AWS::SQS::Queue') as Record<string, Resource>;
    for (const name of ['Fanout', 'Sender', 'Feedback']) {
      const queue = Object.keys(queues).find((id) => id.startsWith(`${name}Failures`));
      compute.hasOutput(`${name}FailuresQueueUrl`, { Value: { Ref: queue } });
    }
  });

  it('gives each function its environment: table names, and secrets only by reference', () => {
    const env = functionsIn(compute)[functionLogicalId('sender')]!.Properties.Environment.Variables;
    const expected = [
      'NODE_OPTIONS',
      ...functionSpecs.sender.env
        .filter((n) => n !== 'SES_MAX_SEND_RATE') // optional: the account's quota is read instead
        .map((n) => (n === 'LINK_SIGNING_SECRET' ? `${n}_SECRET_ARN` : n)),
    ];
    expect(Object.keys(env).sort()).toEqual([...new Set(expected)].sort());
    expect(env.DELIVERIES_TABLE).toEqual({ 'Fn::ImportValue': expect.stringContaining('DeliveriesTable') });
    const everyValue = JSON.stringify(
      Object.values(functionsIn(compute)).map((f) => f.Properties.Environment?.Variables),
    );
    expect(everyValue).not.toContain('resolve:secretsmanager');
    expect(actionsOf('webhooks')).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue']));
    expect(actionsOf('fanout').some((a) => a.startsWith('secretsmanager:'))).toBe(false);
  });

  it('grants least privilege: no wildcard actions, mail only from the functions that send it', () => {
    for (const [name, spec] of Object.entries(functionSpecs)) {
      const actions = actionsOf(name);
      expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
      expect(actions.some((a) => a.startsWith('ses:'))).toBe('sendsMail' in spec && spec.sendsMail);
    }
    expect(actionsOf('webhooks').some((a) => a.startsWith('ses:'))).toBe(false);
    expect(actionsOf('catalog').some((a) => /PutItem|BatchWriteItem|UpdateItem|DeleteItem/.test(a))).toBe(
      false,
    );
    expect(actionsOf('health').filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    expect(actionsOf('sender')).toEqual(
      expect.arrayContaining(['ses:SendBulkEmail', 'dynamodb:BatchWriteItem']),
    );
  });
});

describe('security of the deployment', () => {
  it('synthesizes clean under cdk-nag (AWS Solutions); every acknowledged finding says why', () => {
    // buildApp registers the checks, and the synth in beforeAll fails on any finding left: here, what
    // was acknowledged instead of fixed, each with its reason in words.
    const acknowledged = appRoot.node
      .findAll()
      .flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((entry) =>
            Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ id, reason })),
          ),
      );
    const rules = [
      ...new Set(acknowledged.map((ack) => ack.id.replace(/^\w+::/, '').replace(/\[.*$/, ''))),
    ].sort();
    expect(rules).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM5',
      'AwsSolutions-SMG4',
      'AwsSolutions-SQS3',
    ]);
    for (const ack of acknowledged) expect(ack.reason.length, ack.id).toBeGreaterThan(60);
    const report = JSON.parse(readFileSync(join(assemblyDir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  });

  it('fails the synth on a finding nobody fixed or acknowledged', () => {
    // The same app, unbundled, with a queue that breaks two rules: the checks run at every synth.
    const { app, compute: computeStack } = buildApp(
      new App({ context: { mailDomain: 'status.example.com', 'aws:cdk:bundling-stacks': [] } }),
    );
    new sqs.Queue(computeStack, 'Careless');
    expect(() => app.synth()).toThrow(/SQS queue is not used as a dead-letter queue/);
  });

  it('throttles the API, lower where strangers write or guess, and logs every request', () => {
    // Route settings name routes by key: the stage is made after every route.
    const [stage] = Object.values(compute.findResources('AWS::ApiGatewayV2::Stage') as Record<string, any>);
    const routes = Object.keys(compute.findResources('AWS::ApiGatewayV2::Route'));
    expect(stage.DependsOn).toEqual(expect.arrayContaining(routes));
    compute.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
      RouteSettings: {
        'POST /v1/subscriptions': { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
        'POST /v1/admin/sessions': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
    });
  });

  it('puts the public routes behind CloudFront and a WAF rate limit with -c waf=true, and not otherwise', () => {
    compute.resourceCountIs('AWS::CloudFront::Distribution', 0);
    const previous = { region: process.env.CDK_DEFAULT_REGION, account: process.env.CDK_DEFAULT_ACCOUNT };
    process.env.CDK_DEFAULT_REGION = 'eu-west-1';
    process.env.CDK_DEFAULT_ACCOUNT = '123456789012';
    try {
      const {
        app,
        edge,
        compute: computeStack,
      } = buildApp(
        new App({
          context: { mailDomain: 'status.example.com', waf: 'true', 'aws:cdk:bundling-stacks': [] },
        }),
      );
      app.synth(); // cdk-nag included
      expect(edge?.region).toBe('us-east-1');
      Template.fromStack(edge!).hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'CLOUDFRONT',
        Rules: [
          Match.objectLike({
            Action: { Block: {} },
            Statement: { RateBasedStatement: { Limit: 1000, AggregateKeyType: 'IP' } },
          }),
        ],
      });
      const behind = Template.fromStack(computeStack);
      behind.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({ WebACLId: Match.anyValue() }),
      });
      // Links in mail lead through CloudFront, not around it.
      const distribution = Object.keys(behind.findResources('AWS::CloudFront::Distribution'))[0];
      behind.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            PUBLIC_BASE_URL: {
              'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }]],
            },
          }),
        },
      });
    } finally {
      for (const [key, value] of Object.entries({
        CDK_DEFAULT_REGION: previous.region,
        CDK_DEFAULT_ACCOUNT: previous.account,
      }))
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
    }
  });

  it('names every index a function may read: no table/index/* and no wildcard table', () => {
    const policies = Object.values(compute.findResources('AWS::IAM::Policy') as Record<string, Resource>);
    const resources = JSON.stringify(policies.map((p) => p.Properties.PolicyDocument));
    expect(resources).not.toContain('/index/*');
    expect(resources).toContain('/index/byAddress');
  });
});

describe('pages', () => {
  it('bundles the stylesheet and script beside every function that renders pages', () => {
    for (const name of ['subscriptions', 'catalog']) {
      const key: string = functionsIn(compute)[functionLogicalId(name)]!.Properties.Code.S3Key;
      const bundle = join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`);
      expect(existsSync(join(bundle, 'assets', 'site.css')), name).toBe(true);
      expect(existsSync(join(bundle, 'assets', 'site.js')), name).toBe(true);
    }
  });

  it('gives the console no table at all: it reaches data only through the admin API', () => {
    const env = functionsIn(compute)[functionLogicalId('console')]!.Properties.Environment.Variables;
    expect(actionsOf('console').filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    expect(actionsOf('console').some((a) => a.startsWith('secretsmanager:'))).toBe(false);
    expect(Object.keys(env).filter((name) => name.endsWith('_TABLE'))).toEqual([]);
    expect(env.ADMIN_API_URL).toEqual(env.PUBLIC_BASE_URL);
    expect(JSON.stringify(env.ADMIN_API_URL)).toContain('Api');
    const key: string = functionsIn(compute)[functionLogicalId('console')]!.Properties.Code.S3Key;
    const bundle = join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`);
    expect(existsSync(join(bundle, 'assets', 'console.js'))).toBe(true);
  });

  it('lets the configured origins frame the subscribe form', () => {
    const env = functionsIn(compute)[functionLogicalId('subscriptions')]!.Properties.Environment.Variables;
    expect(env.SUBSCRIBE_EMBED_ORIGINS).toBe('https://status.example.com');
  });
});
