import {
  Aws,
  CfnCondition,
  CfnOutput,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { tables as tableDefinitions } from '../shared/adapters/dynamo/tables';
import type { EnvName } from '../shared/env';
import { SECRET_ENV, secretArnVariable } from '../shared/secrets';
import type { DataStack, NotifierSecrets, NotifierTables } from './data-stack';
import {
  type FunctionName,
  type FunctionSpec,
  functionSpecs,
  pascal,
  type SesEventSource,
  type StreamSource,
  type TableKey,
} from './functions';
import { NotifierFunction } from './notifier-function';
import { Observability } from './observability';

export interface ComputeStackProps extends StackProps {
  tables: NotifierTables;
  secrets: NotifierSecrets;
  mail: { from: string; identity: DataStack['identity']; configurationSet: DataStack['configurationSet'] };
  /** Origins whose pages may frame the subscribe form (`SUBSCRIBE_EMBED_ORIGINS`); none when absent. */
  embedOrigins?: string;
  /** With WAF (edge-stack.ts): the web ACL a CloudFront distribution in front of the API uses. */
  webAclArn?: string;
}

const TABLE_ENV: Record<TableKey, EnvName> = {
  subscribers: 'SUBSCRIBERS_TABLE',
  incidents: 'INCIDENTS_TABLE',
  deliveries: 'DELIVERIES_TABLE',
  catalog: 'CATALOG_TABLE',
};

/** The API's steady request rate and burst, for all routes together (a 429 past them). */
const API_RATE_PER_SECOND = 200;
const API_BURST = 400;
/**
 * Lower ceilings where a stranger can write or guess: the subscribe API and API-key sign-in. A route
 * limit is one bucket for everyone, so none on the webhook: made-up tokens must not crowd out
 * Statuspage's own calls (per-address limits are WAF's, -c waf=true).
 */
const ROUTE_LIMITS: Record<string, { rate: number; burst: number }> = {
  'POST /v1/subscriptions': { rate: 20, burst: 40 },
  'POST /v1/admin/sessions': { rate: 10, burst: 20 },
};

const OPTIONAL_ENV = new Set<EnvName>([
  'SUBSCRIBE_LIMIT_PER_IP',
  'SUBSCRIBE_LIMIT_PER_ADDRESS',
  'SUBSCRIBE_EMBED_ORIGINS',
  'SES_MAX_SEND_RATE',
  'CONSOLE_IDLE_MINUTES',
  'PENDING_STALE_MINUTES',
  'MAINTENANCE_REMINDER_MINUTES',
  // Never set in AWS: the default (false) keeps endpoints to public addresses.
  'CHANNELS_ALLOW_LOOPBACK',
]);

/** Functions, the HTTP API, stream event sources with their on-failure queues, and alarms. */
export class ComputeStack extends Stack {
  readonly api: apigwv2.HttpApi;
  readonly functions: Record<FunctionName, NotifierFunction>;
  readonly failureQueues: Partial<Record<FunctionName, sqs.Queue>> = {};
  /** Alarms on the event sources; the rest, and the dashboard, are in `observability`. */
  readonly sourceAlarms: cloudwatch.Alarm[] = [];
  readonly observability: Observability;
  private readonly routes: apigwv2.HttpRoute[] = [];

  constructor(scope: Construct, id: string, props: ComputeStackProps) {
    super(scope, id, props);
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'status-notifier public, webhook and admin API',
      createDefaultStage: false,
    });
    // With WAF, people reach the API through CloudFront, and links in mail point there.
    const publicUrl = props.webAclArn ? this.behindWaf(props.webAclArn) : this.api.apiEndpoint;

    const isUsEast1 = new CfnCondition(this, 'IsUsEast1', {
      expression: Fn.conditionEquals(Aws.REGION, 'us-east-1'),
    });
    const values: Partial<Record<EnvName, string>> = {
      MAIL_FROM: props.mail.from,
      SES_CONFIGURATION_SET: props.mail.configurationSet.configurationSetName,
      // SES names its Message-IDs after the region; us-east-1 is the exception (observed, not documented).
      SES_MESSAGE_ID_DOMAIN: Fn.conditionIf(
        isUsEast1.logicalId,
        'email.amazonses.com',
        `${Aws.REGION}.amazonses.com`,
      ).toString(),
      PUBLIC_BASE_URL: publicUrl,
      // The console reaches data only through the admin API, over the same HTTP API.
      ADMIN_API_URL: this.api.apiEndpoint,
      ...(props.embedOrigins ? { SUBSCRIBE_EMBED_ORIGINS: props.embedOrigins } : {}),
    };

    const entries = Object.entries(functionSpecs) as Array<[FunctionName, FunctionSpec]>;
    this.functions = Object.fromEntries(
      entries.map(([name, spec]) => [name, this.notifierFunction(name, spec, props, values)]),
    ) as Record<FunctionName, NotifierFunction>;

    this.apiStage();
    this.observability = new Observability(this, 'Observability', {
      functions: this.functions,
      failureQueues: this.failureQueues,
      streamFunctions: entries.flatMap(([name, spec]) => (spec.stream ? [name] : [])),
      alarms: this.sourceAlarms,
    });
    this.rollOutGradually(entries.flatMap(([name, spec]) => (spec.deploymentHook ? [] : [name])));
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'DashboardName', { value: this.observability.dashboard.dashboardName });
  }

  /**
   * A CloudFront distribution in front of the API, with the WAF web ACL: nothing cached, every method,
   * headers, cookies and query strings passed on. Returns its https URL.
   */
  private behindWaf(webAclArn: string): string {
    const distribution = new cloudfront.Distribution(this, 'Edge', {
      comment: 'status-notifier: the public routes behind AWS WAF',
      webAclId: webAclArn,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      defaultBehavior: {
        origin: new origins.HttpOrigin(Fn.select(2, Fn.split('/', this.api.apiEndpoint))),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
    });
    Validations.of(distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Subscribers and status-page operators are anywhere: no country is blocked.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          "Every request reaches the API, whose stage writes an access log of each (apiStage); CloudFront's standard logs would repeat it in an S3 bucket of their own.",
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          "On CloudFront's default *.cloudfront.net certificate the viewer TLS policy cannot be set; TLSv1.2_2021 is asked for and applies once a custom domain's certificate is attached.",
      },
    );
    const url = `https://${distribution.distributionDomainName}`;
    new CfnOutput(this, 'PublicUrl', { value: url, description: 'the public routes, behind AWS WAF' });
    return url;
  }

  /**
   * The API's one stage: every request in an access log, and a ceiling on the request rate so that a
   * flood costs a 429 rather than the account's Lambda concurrency (the functions rate-limit subscribe
   * per address and IP themselves), lower on the routes a stranger can call to write or to guess.
   */
  private apiStage() {
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Under the API, as its own default stage was: the same logical id, so a deployed stack updates it in place.
    const stage = new apigwv2.HttpStage(this.api, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: API_RATE_PER_SECOND, burstLimit: API_BURST },
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs) },
    });
    (stage.node.defaultChild as apigwv2.CfnStage).routeSettings = Object.fromEntries(
      Object.entries(ROUTE_LIMITS).map(([routeKey, { rate, burst }]) => [
        routeKey,
        // RouteSettings is raw JSON to CDK: CloudFormation's own names.
        { ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst },
      ]),
    );
    // Route settings name routes by key: the routes must exist first.
    for (const route of this.routes) stage.node.addDependency(route);
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Each route authenticates in its function: webhooks by the secret token in their path (compared in constant time), the admin API and console by API keys or console sessions (scoped, audited), and the subscribe and preferences pages are public by design, protected by signed links and rate limits.',
    });
  }

  /**
   * Each deploy moves a function's `live` alias to the new version by CodeDeploy: 10% of invocations for
   * five minutes, then all, and straight back to the old version when the function's errors or throttles
   * alarm fire meanwhile (or the deployment fails or is stopped). The sender's deployment ends with the
   * smoke check (functions/smoke.ts): a synthetic incident that must reach SES, or the deploy rolls back.
   * The pipeline's standing alarms (a failure queue not empty, a backlog, SES paused) are left out on
   * purpose: they are often already firing when the deploy is the fix, and must not block it.
   */
  private rollOutGradually(names: FunctionName[]) {
    const application = new codedeploy.LambdaApplication(this, 'Deployments');
    for (const name of names) {
      const group = new codedeploy.LambdaDeploymentGroup(this, `${pascal(name)}Deployment`, {
        application,
        alias: this.functions[name].live,
        deploymentConfig: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
        alarms: this.observability.deploymentAlarms(name, this.functions[name]),
        autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
        ...(name === 'sender' ? { postHook: this.functions.smoke.function } : {}),
      });
      if (name === 'sender') {
        const smoke = this.getLogicalId(
          this.functions.smoke.function.node.defaultChild as lambda.CfnFunction,
        );
        Validations.of(group).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${smoke}.Arn>:*]`,
          reason:
            'CodeDeploy may invoke the smoke-check hook, any version of it: the hook is the function itself, named by its ARN.',
        });
      }
      Validations.of(group).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
        reason:
          "CodeDeploy's service role for Lambda deployments uses AWSCodeDeployRoleForLambdaLimited, the managed policy AWS scopes to what a Lambda traffic shift needs (the alias, hooks named CodeDeployHook_*, alarm state).",
      });
    }
  }

  private notifierFunction(
    name: FunctionName,
    spec: FunctionSpec,
    props: ComputeStackProps,
    values: Partial<Record<EnvName, string>>,
  ): NotifierFunction {
    const fn = new NotifierFunction(this, pascal(name), spec);
    for (const [table, access] of Object.entries(spec.tables) as Array<
      [TableKey, NonNullable<FunctionSpec['tables'][TableKey]>]
    >) {
      fn.bindTable(
        TABLE_ENV[table],
        props.tables[table],
        access,
        tableDefinitions[table].indexes.map((index) => index.name),
      );
    }
    for (const envName of spec.env) {
      if (isSecret(envName)) {
        // Secrets by reference: the function reads the value at cold start (shared/secrets.ts).
        props.secrets[envName].grantRead(fn.function);
        fn.function.addEnvironment(secretArnVariable(envName), props.secrets[envName].secretArn);
        continue;
      }
      const value = values[envName];
      // Table names are set by bindTable; variables with defaults (limits) may be left unset.
      if (value !== undefined) fn.setEnv(envName, value);
      else if (!Object.values(TABLE_ENV).includes(envName) && !OPTIONAL_ENV.has(envName))
        throw new Error(`${name}: no value for ${envName}`);
    }
    for (const route of spec.routes ?? []) {
      this.routes.push(
        ...this.api.addRoutes({
          path: route.path,
          methods: [apigwv2.HttpMethod[route.method]],
          integration: new HttpLambdaIntegration(`${pascal(name)}${route.method}${route.path}`, fn.live),
        }),
      );
    }
    if (spec.stream) this.streamSource(name, fn, spec.stream, props.tables[spec.stream.table]);
    if (spec.schedule) {
      new events.Rule(this, `${pascal(name)}Schedule`, {
        description: `${name}: every ${spec.schedule.everyMinutes} minute(s)`,
        schedule: events.Schedule.rate(Duration.minutes(spec.schedule.everyMinutes)),
        targets: [new targets.LambdaFunction(fn.live, { retryAttempts: 0 })],
      });
    }
    if (spec.sesEvents)
      this.sesEventSource(name, fn, spec.sesEvents, props.mail.configurationSet.configurationSetName);
    if (spec.stream?.table === 'deliveries') {
      // The send quota; GetAccount has no resource to scope to.
      fn.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }));
    }
    if (spec.sendsMail) {
      fn.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['ses:SendEmail', 'ses:SendBulkEmail'],
          resources: [
            this.formatArn({
              service: 'ses',
              resource: 'identity',
              resourceName: props.mail.identity.emailIdentityName,
            }),
            this.formatArn({
              service: 'ses',
              resource: 'configuration-set',
              resourceName: props.mail.configurationSet.configurationSetName,
            }),
          ],
        }),
      );
    }
    return fn;
  }

  /**
   * Lambda's DynamoDB stream semantics do the heavy lifting: the records of one partition key go to one
   * invocation at a time, in order (what makes the sender's read-then-record safe), partial batch
   * responses, bisect, bounded retries, and an on-failure queue that records what to redrive. An alarm
   * fires on anything in that queue and on a stream falling behind.
   */
  private sesEventSource(
    name: FunctionName,
    fn: NotifierFunction,
    source: SesEventSource,
    configurationSetName: string,
  ) {
    this.failureQueues[name] = sesEventRule(this, name, fn, source, configurationSetName);
    this.failureQueueOutput(name, 'SES events that kept failing (not stream batches)');
  }

  /** `<Fn>FailuresQueueUrl`: where `status-notifier redrive --queue` finds what kept failing. */
  private failureQueueOutput(name: FunctionName, what: string) {
    const queue = this.failureQueues[name];
    if (!queue) return;
    new CfnOutput(this, `${pascal(name)}FailuresQueueUrl`, {
      value: queue.queueUrl,
      description: `${name}: ${what}`,
    });
  }

  private streamSource(
    name: FunctionName,
    fn: NotifierFunction,
    source: StreamSource,
    table: NotifierTables[TableKey],
  ) {
    const queue = new sqs.Queue(this, `${pascal(name)}Failures`, {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.failureQueues[name] = queue;
    acknowledgeIsDeadLetterQueue(queue);
    this.failureQueueOutput(name, 'stream batches that kept failing (status-notifier redrive)');
    fn.live.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: source.batchSize,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: source.bisectOnError,
        retryAttempts: source.maxRetryAttempts,
        reportBatchItemFailures: true,
        parallelizationFactor: source.parallelization,
        onFailure: new SqsDlq(queue),
        filters: source.filter.anyOf.map((conditions) =>
          lambda.FilterCriteria.filter({
            eventName: source.filter.eventNames,
            dynamodb: {
              NewImage: Object.fromEntries(
                conditions.map(({ attribute, type, equals }) => [attribute, { [type]: [equals] }]),
              ),
            },
          }),
        ),
      }),
    );
    this.sourceAlarms.push(
      waitingInQueue(
        this,
        `${pascal(name)}FailedBatches`,
        queue,
        `${name}: stream records kept failing and wait in the on-failure queue. Find the cause in the function's logs, fix it, then run status-notifier redrive --queue (docs/runbook.md#failed-batches).`,
      ),
    );
    this.sourceAlarms.push(
      new cloudwatch.Alarm(this, `${pascal(name)}Backlog`, {
        alarmDescription: `${name}: the stream is more than 5 minutes behind. Expected while a large audience drains at the send rate; otherwise see status-notifier backlog (docs/runbook.md#backlog).`,
        metric: fn.function.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
        threshold: Duration.minutes(5).toMilliseconds(),
        evaluationPeriods: 5,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}

/** An EventBridge rule for the configuration set's SES events; what keeps failing waits in a queue. */
function sesEventRule(
  stack: ComputeStack,
  name: FunctionName,
  fn: NotifierFunction,
  source: SesEventSource,
  configurationSetName: string,
) {
  const queue = new sqs.Queue(stack, `${pascal(name)}Failures`, {
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  acknowledgeIsDeadLetterQueue(queue);
  new events.Rule(stack, `${pascal(name)}SesEvents`, {
    description: 'SES bounces, complaints and deliveries of the notifier',
    // Only this notifier's configuration set: another application's bounces must not suppress our subscribers.
    eventPattern: {
      source: ['aws.ses'],
      detail: {
        eventType: source.eventTypes,
        mail: { tags: { 'ses:configuration-set': [configurationSetName] } },
      },
    },
    targets: [
      new targets.LambdaFunction(fn.live, {
        retryAttempts: source.retryAttempts,
        deadLetterQueue: queue,
      }),
    ],
  });
  // The rule's queue keeps what EventBridge could not hand over; the same queue keeps what the function
  // itself failed on after Lambda's own retries of an asynchronous invocation.
  fn.live.configureAsyncInvoke({ retryAttempts: 2, onFailure: new destinations.SqsDestination(queue) });
  stack.sourceAlarms.push(
    waitingInQueue(
      stack,
      `${pascal(name)}FailedEvents`,
      queue,
      `${name}: SES events kept failing and wait in the dead-letter queue. Find the cause in the function's logs; suppressions were written before anything could fail (docs/runbook.md#failed-events).`,
    ),
  );
  return queue;
}

/** An alarm on anything waiting in a failure queue: each message is something that did not happen. */
function waitingInQueue(scope: Construct, id: string, queue: sqs.Queue, description: string) {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/** cdk-nag does not see a Lambda on-failure destination or a rule's dead-letter queue for what it is. */
function acknowledgeIsDeadLetterQueue(queue: sqs.Queue) {
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself the dead-letter destination (of a stream event source, or of the SES event rule and its function); nothing reads it but an operator and status-notifier redrive.',
  });
}

function isSecret(name: EnvName): name is (typeof SECRET_ENV)[number] {
  return (SECRET_ENV as readonly string[]).includes(name);
}
