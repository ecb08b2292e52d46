/**
 * The notifier's own CloudWatch metrics, emitted by the functions as embedded metric format (see
 * shared/metrics.ts) and read by the alarms and the dashboard (infra/observability.ts).
 */
export const METRICS_NAMESPACE = 'StatusNotifier';
export const METRICS_SERVICE = 'status-notifier';

export const METRIC = {
  /** New incident updates stored, from any source (a replayed webhook stores none). */
  updatesIngested: 'UpdatesIngested',
  /** Recipients a fan-out matched (one per subscriber per update). */
  recipientsMatched: 'RecipientsMatched',
  mailsSent: 'MailsSent',
  mailsFailed: 'MailsFailed',
  mailsSkipped: 'MailsSkipped',
  /** Recipients held back for SES (paused, or no room in the send rate): pending, not failed. */
  mailsDeferred: 'MailsDeferred',
  /** The account's MaxSendRate as the sender paces to it (mails per second). */
  maxSendRate: 'MaxSendRate',
  /** 1 each time a sender finds SES taking no mail (quota spent, sending paused) and pauses. */
  sendingPaused: 'SendingPaused',
  /** Recipients of updates with no sending progress for PENDING_STALE_MINUTES, per sweep. */
  stalePendingRecipients: 'StalePendingRecipients',
  /** Recipients the sweep gave up on (their batch kept failing); they wait for a redrive. */
  givenUpRecipients: 'GivenUpRecipients',
  bounces: 'Bounces',
  complaints: 'Complaints',
  delivered: 'Delivered',
  /** Endpoint deliveries: POSTs answered 2xx, deliveries failed for good, and endpoints quarantined. */
  endpointsDelivered: 'EndpointsDelivered',
  endpointsFailed: 'EndpointsFailed',
  endpointsQuarantined: 'EndpointsQuarantined',
  /** Chat messages a platform refused as malformed (Slack's invalid_payload): ours to fix. */
  chatMessagesRefused: 'ChatMessagesRefused',
  /** Endpoint deliveries whose retry the sweep found due, per run, and the oldest one's lateness. */
  endpointRetriesDue: 'EndpointRetriesDue',
  endpointRetryLagSeconds: 'EndpointRetryLagSeconds',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];
