import type { tables } from '../shared/adapters/dynamo/tables';
import type { EnvName } from '../shared/env';
import { ENDPOINT_STREAM, FUNCTION_ENV, SENDER_STREAM } from '../shared/function-env';

/**
 * Every function of the system, described once: its entry file, the routes or stream that invoke it, the
 * environment it reads and the table access it needs. The CDK compute stack and the local stack are both
 * built from this list, so what runs locally is what deploys.
 */
export type TableKey = keyof typeof tables;
export type Access = 'read' | 'write' | 'readWrite';

export interface HttpRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
}

/** An attribute of a stream record's new image, and the value it must have. */
export interface ImageCondition {
  attribute: string;
  type: 'S' | 'BOOL';
  equals: string | boolean;
}

/**
 * A Lambda event filter on the stream: one of the event names, and any one of the alternatives (an event
 * source's filters are ORed), each a list of attributes of the new image, all required.
 */
export interface StreamFilter {
  eventNames: ReadonlyArray<'INSERT' | 'MODIFY'>;
  anyOf: ReadonlyArray<ImageCondition[]>;
}

/** Whether a stream record passes the filter, as Lambda's event filtering decides (for local runs and redrive). */
export function passesStreamFilter(
  filter: StreamFilter,
  record: { eventName?: string; dynamodb?: { NewImage?: Record<string, unknown> } },
): boolean {
  return (
    filter.eventNames.some((name) => name === record.eventName) &&
    filter.anyOf.some((conditions) =>
      conditions.every(({ attribute, type, equals }) => {
        const value = record.dynamodb?.NewImage?.[attribute] as Record<string, unknown> | undefined;
        return value?.[type] === equals;
      }),
    )
  );
}

/** An EventBridge schedule: the function runs this often. */
export interface Schedule {
  everyMinutes: number;
}

export interface StreamSource {
  table: TableKey;
  batchSize: number;
  /**
   * Concurrent batches per shard (Lambda's ParallelizationFactor, 1 to 10). Records with the same
   * partition key still go to one batch at a time, in order: what keeps the sender's read-then-record safe.
   */
  parallelization: number;
  maxRetryAttempts: number;
  bisectOnError: boolean;
  filter: StreamFilter;
}

/** SES events from the configuration set, through EventBridge. */
export interface SesEventSource {
  eventTypes: Array<'Bounce' | 'Complaint' | 'Delivery' | 'Reject' | 'Rendering Failure'>;
  retryAttempts: number;
}

export interface FunctionSpec {
  entry: string;
  description: string;
  env: readonly EnvName[];
  tables: Partial<Record<TableKey, Access>>;
  routes?: HttpRoute[];
  stream?: StreamSource;
  schedule?: Schedule;
  sesEvents?: SesEventSource;
  sendsMail?: boolean;
  /** CodeDeploy calls it after a deploy's traffic shift: no deployment of its own. */
  deploymentHook?: boolean;
  timeoutSeconds: number;
  memoryMb: number;
}

export const functionSpecs = {
  webhooks: {
    entry: 'functions/webhooks.ts',
    description:
      'Status page webhooks in (Statuspage, Instatus, Better Stack): stores incidents and updates idempotently',
    env: FUNCTION_ENV.webhooks,
    tables: { incidents: 'readWrite', catalog: 'readWrite' },
    routes: [
      { method: 'POST', path: '/v1/webhooks/statuspage/{token}' },
      { method: 'POST', path: '/v1/webhooks/instatus/{token}' },
      { method: 'POST', path: '/v1/webhooks/betterstack/{token}' },
    ],
    timeoutSeconds: 15,
    memoryMb: 512,
  },
  incidents: {
    entry: 'functions/incidents.ts',
    description:
      'Incident API for in-house tooling: whole incidents, single updates, renames, postmortems, reads; Idempotency-Key',
    env: FUNCTION_ENV.incidents,
    tables: { incidents: 'readWrite', catalog: 'read', subscribers: 'readWrite' },
    routes: [
      { method: 'POST', path: '/v1/incidents' },
      { method: 'GET', path: '/v1/incidents' },
      { method: 'GET', path: '/v1/incidents/{id}' },
      { method: 'PATCH', path: '/v1/incidents/{id}' },
      { method: 'POST', path: '/v1/incidents/{id}/updates' },
      { method: 'POST', path: '/v1/incidents/{id}/postmortem' },
    ],
    timeoutSeconds: 15,
    memoryMb: 512,
  },
  admin: {
    entry: 'functions/admin.ts',
    description: 'Support team API: catalog, subscribers, import/export, suppressions, keys, sessions, audit',
    env: FUNCTION_ENV.admin,
    tables: { subscribers: 'readWrite', catalog: 'readWrite', deliveries: 'readWrite', incidents: 'read' },
    routes: [
      { method: 'PUT', path: '/v1/admin/pages/{pageId}/components' },
      { method: 'POST', path: '/v1/admin/subscribers' },
      { method: 'GET', path: '/v1/admin/subscribers' },
      { method: 'GET', path: '/v1/admin/subscribers/export' },
      { method: 'POST', path: '/v1/admin/subscribers/import' },
      { method: 'POST', path: '/v1/admin/subscribers/reindex' },
      { method: 'GET', path: '/v1/admin/subscribers/{id}' },
      { method: 'PATCH', path: '/v1/admin/subscribers/{id}' },
      { method: 'DELETE', path: '/v1/admin/subscribers/{id}' },
      { method: 'GET', path: '/v1/admin/subscribers/{id}/deliveries' },
      { method: 'GET', path: '/v1/admin/subscribers/{id}/endpoint' },
      { method: 'POST', path: '/v1/admin/subscribers/{id}/endpoint/test' },
      { method: 'POST', path: '/v1/admin/subscribers/{id}/endpoint/resume' },
      { method: 'GET', path: '/v1/admin/incidents/{id}' },
      { method: 'GET', path: '/v1/admin/suppressions' },
      { method: 'GET', path: '/v1/admin/suppressions/{id}' },
      { method: 'POST', path: '/v1/admin/suppressions' },
      { method: 'DELETE', path: '/v1/admin/suppressions/{id}' },
      { method: 'GET', path: '/v1/admin/keys' },
      { method: 'POST', path: '/v1/admin/keys' },
      { method: 'DELETE', path: '/v1/admin/keys/{id}' },
      { method: 'POST', path: '/v1/admin/sessions' },
      { method: 'GET', path: '/v1/admin/sessions/current' },
      { method: 'DELETE', path: '/v1/admin/sessions/current' },
      { method: 'GET', path: '/v1/admin/audit' },
      { method: 'GET', path: '/v1/admin/backlog' },
    ],
    sendsMail: true,
    timeoutSeconds: 29,
    memoryMb: 1024,
  },
  subscriptions: {
    entry: 'functions/subscriptions.ts',
    description:
      'Customers: subscribe form and API, follow one incident, confirm, preferences, one-click unsubscribe',
    env: FUNCTION_ENV.subscriptions,
    // deliveries: a webhook's page lists its newest.
    tables: { subscribers: 'readWrite', catalog: 'read', incidents: 'read', deliveries: 'read' },
    routes: [
      { method: 'GET', path: '/subscribe' },
      { method: 'POST', path: '/subscribe' },
      { method: 'GET', path: '/subscribe/embed' },
      { method: 'POST', path: '/v1/subscriptions' },
      { method: 'GET', path: '/v1/confirm' },
      { method: 'POST', path: '/v1/confirm' },
      { method: 'GET', path: '/v1/unsubscribe' },
      { method: 'POST', path: '/v1/unsubscribe' },
      { method: 'GET', path: '/v1/preferences' },
      { method: 'POST', path: '/v1/preferences' },
      { method: 'PUT', path: '/v1/preferences' },
      { method: 'GET', path: '/follow' },
      { method: 'POST', path: '/follow' },
      { method: 'POST', path: '/v1/incidents/{id}/followers' },
    ],
    sendsMail: true,
    timeoutSeconds: 15,
    memoryMb: 512,
  },
  catalog: {
    entry: 'functions/catalog.ts',
    description:
      'Public reads: catalog of pages, regions and components; OpenAPI; page assets; maintenance calendars; feeds',
    env: FUNCTION_ENV.catalog,
    tables: { catalog: 'read', incidents: 'read' },
    routes: [
      { method: 'GET', path: '/v1/catalog' },
      { method: 'GET', path: '/v1/openapi.json' },
      { method: 'GET', path: '/assets/{name}' },
      { method: 'GET', path: '/v1/calendar' },
      { method: 'GET', path: '/feeds/{feed}' },
    ],
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  console: {
    entry: 'functions/console.ts',
    description: 'Support console pages at /console: everything through the admin API, no table access',
    env: FUNCTION_ENV.console,
    tables: {},
    routes: [
      { method: 'GET', path: '/console' },
      { method: 'POST', path: '/console/sign-in' },
      { method: 'POST', path: '/console/sign-out' },
      { method: 'GET', path: '/console/subscribers' },
      { method: 'POST', path: '/console/subscribers' },
      { method: 'GET', path: '/console/subscribers/{id}' },
      { method: 'POST', path: '/console/subscribers/{id}' },
      { method: 'GET', path: '/console/subscribers/{id}/remove' },
      { method: 'POST', path: '/console/subscribers/{id}/remove' },
      { method: 'GET', path: '/console/suppressions' },
      { method: 'POST', path: '/console/suppressions' },
      { method: 'GET', path: '/console/import' },
      { method: 'POST', path: '/console/import' },
      { method: 'GET', path: '/console/export' },
      { method: 'GET', path: '/console/incidents' },
      { method: 'GET', path: '/console/incidents/{id}' },
      { method: 'GET', path: '/console/pages' },
      { method: 'POST', path: '/console/pages' },
      // Any other console address: a page saying so, not the gateway's bare 404.
      { method: 'GET', path: '/console/{proxy+}' },
    ],
    timeoutSeconds: 29,
    memoryMb: 512,
  },
  health: {
    entry: 'functions/health.ts',
    description: 'Liveness of the API',
    env: FUNCTION_ENV.health,
    tables: {},
    routes: [{ method: 'GET', path: '/v1/health' }],
    timeoutSeconds: 5,
    memoryMb: 128,
  },
  fanout: {
    entry: 'functions/fanout.ts',
    description: 'Incidents stream → one delivery per matching confirmed subscriber',
    env: FUNCTION_ENV.fanout,
    // subscribers: write, to end an incident's own follows once its last mail is batched.
    tables: { incidents: 'readWrite', catalog: 'read', subscribers: 'readWrite', deliveries: 'readWrite' },
    stream: {
      table: 'incidents',
      batchSize: 10,
      parallelization: 1,
      maxRetryAttempts: 5,
      bisectOnError: true,
      filter: { eventNames: ['INSERT'], anyOf: [[{ attribute: 'notify', type: 'BOOL', equals: true }]] },
    },
    timeoutSeconds: 900,
    memoryMb: 1024,
  },
  sender: {
    entry: 'functions/sender.ts',
    description: 'Send batches on the deliveries stream → SES bulk mail, one delivery record per recipient',
    env: FUNCTION_ENV.sender,
    tables: { deliveries: 'readWrite', incidents: 'readWrite', catalog: 'read', subscribers: 'readWrite' },
    stream: {
      table: 'deliveries',
      // Send batches of up to 50 recipients each: up to 500 mails per invocation.
      batchSize: SENDER_STREAM.batchSize,
      // Ten senders per shard: capacity stays over twice the send rate of accounts up to 1,000 mails/s
      // (docs/capacity.md); the pacer keeps them together within the account's rate.
      parallelization: 10,
      maxRetryAttempts: 8,
      bisectOnError: true,
      // New send batches, and those the sweep touched to bring them back. Delivery records, the
      // sender's own writes, never reach it.
      filter: {
        eventNames: SENDER_STREAM.eventNames,
        anyOf: [[{ attribute: 'kind', type: 'S', equals: 'sendBatch' }]],
      },
    },
    sendsMail: true,
    timeoutSeconds: 120,
    memoryMb: 512,
  },
  endpoints: {
    entry: 'functions/endpoints.ts',
    description:
      'Batches of endpoints and retries due on the deliveries stream → one signed POST each; health and quarantine',
    env: FUNCTION_ENV.endpoints,
    // incidents: write, to add first attempts to the update's send counts.
    tables: { deliveries: 'readWrite', subscribers: 'readWrite', incidents: 'readWrite', catalog: 'read' },
    stream: {
      table: 'deliveries',
      batchSize: ENDPOINT_STREAM.batchSize,
      // An endpoint's deliveries share its partition key: in order, one at a time; endpoints side by side.
      parallelization: 10,
      maxRetryAttempts: 8,
      bisectOnError: true,
      filter: {
        eventNames: ENDPOINT_STREAM.eventNames,
        anyOf: [
          [{ attribute: 'kind', type: 'S', equals: 'endpointBatch' }],
          [
            { attribute: 'channel', type: 'S', equals: 'webhook' },
            { attribute: 'due', type: 'BOOL', equals: true },
          ],
        ],
      },
    },
    // The quarantine notice to the endpoint's owner.
    sendsMail: true,
    // A batch of up to 2,000 deliveries, 50 endpoints answering at once and up to 400 open (slow ones),
    // 5 s each at most: 2,000 hanging endpoints take 25 s, 2,000 at 300 ms each under 2 s.
    timeoutSeconds: 120,
    memoryMb: 512,
  },
  sweeper: {
    entry: 'functions/sweeper.ts',
    description:
      'Every minute: deliveries left pending by a pause, a set-aside batch or an expired stream record go back to the sender',
    env: FUNCTION_ENV.sweeper,
    tables: { incidents: 'readWrite', subscribers: 'read', deliveries: 'readWrite' },
    schedule: { everyMinutes: 1 },
    timeoutSeconds: 300,
    memoryMb: 512,
  },
  reminders: {
    entry: 'functions/reminders.ts',
    description:
      'Every 5 minutes: a reminder update for each maintenance starting within MAINTENANCE_REMINDER_MINUTES, once',
    env: FUNCTION_ENV.reminders,
    tables: { incidents: 'readWrite' },
    schedule: { everyMinutes: 5 },
    timeoutSeconds: 60,
    memoryMb: 256,
  },
  smoke: {
    entry: 'functions/smoke.ts',
    description:
      'After a deploy: one synthetic incident through the webhook route to the SES mailbox simulator, or the deploy rolls back',
    env: FUNCTION_ENV.smoke,
    tables: {},
    deploymentHook: true,
    timeoutSeconds: 300,
    memoryMb: 256,
  },
  feedback: {
    entry: 'functions/feedback.ts',
    description: 'SES bounces, complaints and deliveries → suppressions and delivery outcomes',
    env: FUNCTION_ENV.feedback,
    tables: { subscribers: 'readWrite', deliveries: 'readWrite', incidents: 'readWrite' },
    sesEvents: {
      eventTypes: ['Bounce', 'Complaint', 'Delivery', 'Reject', 'Rendering Failure'],
      retryAttempts: 4,
    },
    timeoutSeconds: 30,
    memoryMb: 256,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functionSpecs;

/** A function's name as it starts its constructs' ids: `sender` → `Sender`. */
export function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
