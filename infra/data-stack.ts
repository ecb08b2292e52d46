import { CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { type TableDefinition, tables } from '../shared/adapters/dynamo/tables';
import type { TableKey } from './functions';

export interface DataStackProps extends StackProps {
  /** The domain mail is sent from (Easy DKIM); a subdomain of it is the custom MAIL FROM domain. */
  mailDomain: string;
}

export type NotifierTables = Record<TableKey, dynamodb.Table>;

export const SECRET_NAMES = [
  'WEBHOOK_TOKEN',
  'ADMIN_API_KEY',
  'LINK_SIGNING_SECRET',
  'CHANNEL_SEALING_SECRET',
] as const;
export type NotifierSecrets = Record<(typeof SECRET_NAMES)[number], secretsmanager.Secret>;

/**
 * What outlives deployments: the tables (retained, point-in-time recovery), the SES identity and
 * configuration set, and the secrets. The compute stack takes these as typed props.
 */
export class DataStack extends Stack {
  readonly tables: NotifierTables;
  readonly configurationSet: ses.ConfigurationSet;
  readonly identity: ses.EmailIdentity;
  readonly secrets: NotifierSecrets;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    this.tables = Object.fromEntries(
      (Object.entries(tables) as Array<[TableKey, TableDefinition]>).map(([key, definition]) => [
        key,
        this.table(definition),
      ]),
    ) as NotifierTables;

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
    });
    // Bounces, complaints and deliveries go to EventBridge, where the feedback function picks them up.
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: ses.EventDestination.eventBus(
        events.EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      ),
      events: [
        ses.EmailSendingEvent.BOUNCE,
        ses.EmailSendingEvent.COMPLAINT,
        ses.EmailSendingEvent.DELIVERY,
        ses.EmailSendingEvent.REJECT,
        ses.EmailSendingEvent.RENDERING_FAILURE,
      ],
    });
    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: ses.Identity.domain(props.mailDomain),
      configurationSet: this.configurationSet,
      mailFromDomain: `bounce.${props.mailDomain}`,
      dkimSigning: true,
    });

    // Generated once, retained; the webhook URL and the bootstrap admin key are read from here.
    this.secrets = Object.fromEntries(
      SECRET_NAMES.map((name) => [
        name,
        new secretsmanager.Secret(this, name, {
          description: `status-notifier ${name}`,
          generateSecretString: { passwordLength: 48, excludePunctuation: true },
          removalPolicy: RemovalPolicy.RETAIN,
        }),
      ]),
    ) as NotifierSecrets;
    for (const name of SECRET_NAMES)
      new CfnOutput(this, `${name}SecretArn`, { value: this.secrets[name].secretArn });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotated by hand (docs/runbook.md): a new webhook token must be entered in Statuspage, and a new link-signing secret voids the unsubscribe links in every mail already sent, so neither may change on a schedule.',
    });
  }

  private table(definition: TableDefinition): dynamodb.Table {
    const table = new dynamodb.Table(this, `${definition.name}Table`, {
      partitionKey: { name: definition.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: definition.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(definition.stream ? { stream: dynamodb.StreamViewType.NEW_IMAGE } : {}),
      ...(definition.timeToLiveAttribute ? { timeToLiveAttribute: definition.timeToLiveAttribute } : {}),
    });
    for (const index of definition.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        ...(index.sortKey ? { sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING } } : {}),
        ...(index.include
          ? { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: index.include }
          : { projectionType: dynamodb.ProjectionType.ALL }),
      });
    }
    return table;
  }
}
