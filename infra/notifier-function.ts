import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { EnvName } from '../shared/env';
import { BUNDLING } from './bundling';
import type { Access, FunctionSpec } from './functions';

/** What `grantReadData` and `grantWriteData` allow, on named resources only. */
const TABLE_READ_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
];
const TABLE_WRITE_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The house Lambda: Node 24 on arm64, ESM bundle with source maps, X-Ray tracing, a log group with
 * retention. Table access and its environment variable are granted together through `bindTable`.
 * Every deploy publishes a version behind the `live` alias, which routes, event sources and schedules
 * invoke: traffic moves to a new version gradually and back on alarm (compute-stack.ts). Old versions
 * are kept, so the version a rollback needs is always there.
 */
export class NotifierFunction extends Construct {
  readonly function: NodejsFunction;
  readonly live: lambda.Alias;

  constructor(scope: Construct, id: string, spec: FunctionSpec) {
    super(scope, id);
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(ROOT, spec.entry),
      handler: 'handler',
      description: spec.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      // The runtime (and the AWS SDK it ships, which the bundles use) changes only when we deploy, so a
      // new SDK arrives through a deploy and its canary, never unannounced under a running function.
      runtimeManagementMode: lambda.RuntimeManagementMode.FUNCTION_UPDATE,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH }),
      currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
      environment: { NODE_OPTIONS: BUNDLING.nodeOptions },
      bundling: {
        format: { esm: OutputFormat.ESM, cjs: OutputFormat.CJS }[BUNDLING.format],
        target: BUNDLING.target,
        minify: BUNDLING.minify,
        sourceMap: BUNDLING.sourceMap,
        mainFields: [...BUNDLING.mainFields],
        externalModules: [...BUNDLING.externalModules],
        banner: BUNDLING.banner,
        esbuildArgs: { '--alias': Object.entries(BUNDLING.alias).map(([from, to]) => `${from}=${to}`) },
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) => [
            `cp -r "${join(inputDir, BUNDLING.assets.from)}" "${join(outputDir, BUNDLING.assets.to)}"`,
          ],
        },
      },
    });
    this.live = new lambda.Alias(this, 'Live', {
      aliasName: 'live',
      version: this.function.currentVersion,
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'AWSLambdaBasicExecutionRole: the managed policy that lets a function write its own logs; it holds nothing else, and what the function may do beyond logging is granted per table and secret below.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "Only where AWS offers no resource to name: X-Ray's PutTraceSegments and PutTelemetryRecords, and SES's GetAccount for the sender. No action is a wildcard; the stack test asserts it.",
    });
  }

  /**
   * Grants the access the function needs to a table and its indexes, each named (no `index/*`), and
   * tells it the table's name.
   */
  bindTable(envName: EnvName, table: dynamodb.ITable, access: Access, indexes: readonly string[]): this {
    const actions = [
      ...(access === 'write' ? [] : TABLE_READ_ACTIONS),
      ...(access === 'read' ? [] : TABLE_WRITE_ACTIONS),
    ];
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions,
        resources: [table.tableArn, ...indexes.map((index) => `${table.tableArn}/index/${index}`)],
      }),
    );
    this.function.addEnvironment(envName, table.tableName);
    return this;
  }

  setEnv(envName: EnvName, value: string): this {
    this.function.addEnvironment(envName, value);
    return this;
  }
}
