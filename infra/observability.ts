import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE, type MetricName } from '../shared/metric-names';
import { type FunctionName, pascal } from './functions';
import type { NotifierFunction } from './notifier-function';

export interface ObservabilityProps {
  functions: Record<FunctionName, NotifierFunction>;
  failureQueues: Partial<Record<FunctionName, sqs.Queue>>;
  /** Functions reading a stream: their iterator age is how far behind they are. */
  streamFunctions: FunctionName[];
  /** Alarms made elsewhere (with the event sources), shown on the dashboard with these. */
  alarms: cloudwatch.Alarm[];
}

/** SES puts an account under review at a 5% bounce rate and a 0.1% complaint rate: warn before. */
const BOUNCE_RATE_WARNING = 0.04;
const COMPLAINT_RATE_WARNING = 0.0008;
/** Recipients pending this long past the sweep's staleness (10 min by default) mean the backlog is stuck. */
const STALE_PENDING_MINUTES = 15;

const RUNBOOK = 'docs/runbook.md';

/**
 * The alarms that tell an operator something is wrong, each saying what to do (the runbook has the
 * detail), and one dashboard with the pipeline from webhook to inbox. Alarms on the on-failure queues
 * and iterator ages are made with their event sources (compute-stack.ts).
 */
export class Observability extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.alarms.push(...props.alarms);
    for (const [name, fn] of Object.entries(props.functions) as Array<[FunctionName, NotifierFunction]>) {
      this.alarm(`${pascal(name)}Errors`, {
        metric: fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 5,
        description: `${name}: 5 or more errors in 5 minutes. Read its logs (level ERROR); if a deploy caused it past its canary, roll back by hand (${RUNBOOK}#roll-back).`,
      });
      this.alarm(`${pascal(name)}Throttles`, {
        metric: fn.function.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        description: `${name}: Lambda throttled it (account concurrency). Raise the account's concurrency or reserve some for the notifier (${RUNBOOK}#throttles).`,
      });
    }
    this.alarm('StalePending', {
      metric: notifierMetric(METRIC.stalePendingRecipients, 'Maximum', Duration.minutes(1)),
      threshold: 1,
      evaluationPeriods: STALE_PENDING_MINUTES,
      // A late sweep (a missing minute) must not reset the count.
      datapointsToAlarm: STALE_PENDING_MINUTES - 3,
      description: `Recipients have been pending for ${STALE_PENDING_MINUTES} minutes past the sweep's staleness: the sweep brings them back and they still do not go out. Run status-notifier backlog, then see ${RUNBOOK}#pending.`,
    });
    this.alarm('SendingPaused', {
      metric: notifierMetric(METRIC.sendingPaused, 'Sum', Duration.minutes(5)),
      threshold: 1,
      description: `SES takes no mail (daily quota spent, or sending paused by SES): senders hold back 15 minutes at a time and nothing is lost. Check the account in the SES console (${RUNBOOK}#ses-paused).`,
    });
    this.alarm('BounceRate', {
      metric: sesReputation('Reputation.BounceRate'),
      threshold: BOUNCE_RATE_WARNING,
      description: `SES bounce rate at 4% (SES reviews the account at 5%). Find the source in the console's suppressions and delivery history; check imports (${RUNBOOK}#bounces).`,
    });
    this.alarm('ComplaintRate', {
      metric: sesReputation('Reputation.ComplaintRate'),
      threshold: COMPLAINT_RATE_WARNING,
      description: `SES complaint rate at 0.08% (SES reviews the account at 0.1%). Complainers are suppressed already; check who was imported without consent (${RUNBOOK}#complaints).`,
    });
    this.alarm('EndpointsQuarantined', {
      metric: notifierMetric(METRIC.endpointsQuarantined, 'Sum', Duration.minutes(15)),
      threshold: 5,
      description: `5 or more webhook endpoints quarantined in 15 minutes: their owners were told, but so many at once may be our side (a network change, a bad payload). Check the endpoints' delivery errors (${RUNBOOK}#endpoint-quarantines).`,
    });
    this.alarm('ChatMessagesRefused', {
      metric: notifierMetric(METRIC.chatMessagesRefused, 'Sum', Duration.minutes(15)),
      threshold: 1,
      description: `A chat platform refused one of our messages as malformed (Slack's invalid_payload): a bug of ours in that platform's message, and the delivery failed. Find the message's update in the endpoints function's log and fix its renderer (${RUNBOOK}#endpoint-quarantines).`,
    });
    this.alarm('EndpointFailures', {
      metric: notifierMetric(METRIC.endpointsFailed, 'Sum', Duration.minutes(15)),
      threshold: 100,
      description: `100 or more webhook deliveries failed for good in 15 minutes (410, other 4xx, a day of retries). Look for one cause in their errors (${RUNBOOK}#endpoint-quarantines).`,
    });
    this.alarm('EndpointRetryBacklog', {
      metric: notifierMetric(METRIC.endpointRetriesDue, 'Maximum', Duration.minutes(1)),
      threshold: 5_000,
      evaluationPeriods: 15,
      datapointsToAlarm: 12,
      description: `The sweep finds its most (5,000) webhook retries due, minute after minute: the retry backlog grows faster than it drains. See and drain it (${RUNBOOK}#endpoint-retries).`,
    });
    this.dashboard = this.pipelineDashboard(props);
  }

  /**
   * What rolls a deploy of the function back: errors or throttles of the version being deployed (not of
   * the old one, which still takes 90% of the traffic), from the first one. Kept apart from the
   * operator's alarms, which may be firing already when the deploy is the fix.
   */
  deploymentAlarms(name: FunctionName, fn: NotifierFunction): cloudwatch.Alarm[] {
    // Lambda reports invocations through an alias under Resource `<function>:<alias>`, and their errors
    // by the version that ran them (ExecutedVersion).
    const throughAlias = {
      FunctionName: fn.function.functionName,
      Resource: `${fn.function.functionName}:live`,
    };
    const lambdaMetric = (metricName: string, dimensionsMap: Record<string, string>) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName,
        dimensionsMap,
        statistic: 'Sum',
        period: Duration.minutes(1),
      });
    const onNewVersion = (id: string, metric: cloudwatch.IMetric, anchor: string, what: string) =>
      new cloudwatch.Alarm(this, `${pascal(name)}${id}`, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `${name}: the version being deployed ${what}; CodeDeploy moves the live alias back (${RUNBOOK}#${anchor}).`,
      });
    return [
      onNewVersion(
        'NewVersionErrors',
        lambdaMetric('Errors', { ...throughAlias, ExecutedVersion: fn.function.currentVersion.version }),
        'roll-back',
        'failed',
      ),
      onNewVersion(
        'NewVersionThrottles',
        // A throttled invocation ran no version: those of the alias, while the shift lasts.
        lambdaMetric('Throttles', throughAlias),
        'throttles',
        'was throttled',
      ),
    ];
  }

  private alarm(
    id: string,
    options: {
      metric: cloudwatch.IMetric;
      threshold: number;
      description: string;
      evaluationPeriods?: number;
      datapointsToAlarm?: number;
    },
  ) {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      ...(options.datapointsToAlarm ? { datapointsToAlarm: options.datapointsToAlarm } : {}),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    this.alarms.push(alarm);
    return alarm;
  }

  private pipelineDashboard(props: ObservabilityProps) {
    const sum = (name: MetricName, label: string) =>
      notifierMetric(name, 'Sum', Duration.minutes(1)).with({ label });
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Updates in, recipients matched',
        left: [sum(METRIC.updatesIngested, 'updates ingested')],
        right: [sum(METRIC.recipientsMatched, 'recipients matched')],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Mail: sent, failed, skipped, held back',
        left: [
          sum(METRIC.mailsSent, 'sent'),
          sum(METRIC.mailsFailed, 'failed'),
          sum(METRIC.mailsSkipped, 'skipped'),
          sum(METRIC.mailsDeferred, 'held back for SES'),
        ],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Send rate against MaxSendRate (mails/s)',
        left: [
          new cloudwatch.MathExpression({
            expression: 'sent / 60',
            usingMetrics: { sent: notifierMetric(METRIC.mailsSent, 'Sum', Duration.minutes(1)) },
            label: 'sent per second',
            period: Duration.minutes(1),
          }),
          notifierMetric(METRIC.maxSendRate, 'Maximum', Duration.minutes(1)).with({ label: 'MaxSendRate' }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'What mail servers said',
        left: [
          sum(METRIC.delivered, 'delivered'),
          sum(METRIC.bounces, 'bounced'),
          sum(METRIC.complaints, 'complained'),
        ],
        right: [
          sesReputation('Reputation.BounceRate').with({ label: 'bounce rate' }),
          sesReputation('Reputation.ComplaintRate').with({ label: 'complaint rate' }),
        ],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'How far behind the streams are (iterator age, ms)',
        left: props.streamFunctions.map((name) =>
          props.functions[name].function
            .metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) })
            .with({ label: name }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Waiting: failure queues, stale pending recipients',
        left: Object.entries(props.failureQueues).flatMap(([name, queue]) =>
          queue
            ? [
                queue
                  .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) })
                  .with({ label: `${name} failure queue` }),
              ]
            : [],
        ),
        right: [
          notifierMetric(METRIC.stalePendingRecipients, 'Maximum', Duration.minutes(1)).with({
            label: 'stale pending recipients',
          }),
        ],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Webhooks: delivered, failed for good, quarantined endpoints, retries due',
        left: [
          sum(METRIC.endpointsDelivered, 'delivered'),
          sum(METRIC.endpointsFailed, 'failed'),
          sum(METRIC.endpointsQuarantined, 'quarantined'),
        ],
        right: [sum(METRIC.endpointRetriesDue, 'retries due (per sweep)')],
        width: 24,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
    );
    return dashboard;
  }
}

function notifierMetric(name: MetricName, statistic: string, period: Duration) {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: METRICS_SERVICE },
    statistic,
    period,
  });
}

/** SES's account-wide reputation, published about every hour: the worst value of the hour. */
function sesReputation(metricName: 'Reputation.BounceRate' | 'Reputation.ComplaintRate') {
  return new cloudwatch.Metric({
    namespace: 'AWS/SES',
    metricName,
    statistic: 'Maximum',
    period: Duration.hours(1),
  });
}
