import type { EnvName } from './env';

/*
 * The runtime's half of the function list: what each function reads from its environment, and what the
 * sender's stream hands it. `infra/functions.ts` builds each function's deployment from these, so a
 * function reads only what its deployment sets, and runtime code never reaches into `infra/`.
 */

export const FUNCTION_ENV = {
  webhooks: ['INCIDENTS_TABLE', 'CATALOG_TABLE', 'WEBHOOK_TOKEN'],
  incidents: ['INCIDENTS_TABLE', 'CATALOG_TABLE', 'SUBSCRIBERS_TABLE', 'ADMIN_API_KEY'],
  admin: [
    'SUBSCRIBERS_TABLE',
    'CATALOG_TABLE',
    'DELIVERIES_TABLE',
    'INCIDENTS_TABLE',
    'ADMIN_API_KEY',
    'MAIL_FROM',
    'SES_CONFIGURATION_SET',
    'PUBLIC_BASE_URL',
    'LINK_SIGNING_SECRET',
    'CONSOLE_IDLE_MINUTES',
    'CHANNELS_ALLOW_LOOPBACK',
    'CHANNEL_SEALING_SECRET',
  ],
  subscriptions: [
    'SUBSCRIBERS_TABLE',
    'CATALOG_TABLE',
    'INCIDENTS_TABLE',
    'MAIL_FROM',
    'SES_CONFIGURATION_SET',
    'PUBLIC_BASE_URL',
    'LINK_SIGNING_SECRET',
    'SUBSCRIBE_LIMIT_PER_IP',
    'SUBSCRIBE_LIMIT_PER_ADDRESS',
    'SUBSCRIBE_EMBED_ORIGINS',
    'CHANNELS_ALLOW_LOOPBACK',
    'DELIVERIES_TABLE',
    'CHANNEL_SEALING_SECRET',
  ],
  catalog: ['CATALOG_TABLE', 'INCIDENTS_TABLE', 'PUBLIC_BASE_URL', 'LINK_SIGNING_SECRET'],
  console: ['ADMIN_API_URL', 'PUBLIC_BASE_URL'],
  health: [],
  fanout: ['INCIDENTS_TABLE', 'CATALOG_TABLE', 'SUBSCRIBERS_TABLE', 'DELIVERIES_TABLE'],
  sender: [
    'DELIVERIES_TABLE',
    'INCIDENTS_TABLE',
    'CATALOG_TABLE',
    'SUBSCRIBERS_TABLE',
    'MAIL_FROM',
    'SES_CONFIGURATION_SET',
    'SES_MESSAGE_ID_DOMAIN',
    'SES_MAX_SEND_RATE',
    'PUBLIC_BASE_URL',
    'LINK_SIGNING_SECRET',
  ],
  sweeper: ['INCIDENTS_TABLE', 'SUBSCRIBERS_TABLE', 'DELIVERIES_TABLE', 'PENDING_STALE_MINUTES'],
  reminders: ['INCIDENTS_TABLE', 'MAINTENANCE_REMINDER_MINUTES'],
  smoke: ['PUBLIC_BASE_URL', 'WEBHOOK_TOKEN', 'ADMIN_API_KEY'],
  feedback: ['SUBSCRIBERS_TABLE', 'DELIVERIES_TABLE', 'INCIDENTS_TABLE'],
  endpoints: [
    'DELIVERIES_TABLE',
    'SUBSCRIBERS_TABLE',
    'INCIDENTS_TABLE',
    'CATALOG_TABLE',
    'MAIL_FROM',
    'SES_CONFIGURATION_SET',
    'PUBLIC_BASE_URL',
    'LINK_SIGNING_SECRET',
    'CHANNELS_ALLOW_LOOPBACK',
    'CHANNEL_SEALING_SECRET',
  ],
} as const satisfies Record<string, readonly EnvName[]>;

/**
 * The endpoint deliverer's stream: batches of up to 50 endpoints from the fan-out (up to 2,000 deliveries
 * an invocation), and deliveries due again, which the sweep brought back.
 */
export const ENDPOINT_STREAM = { batchSize: 40, eventNames: ['INSERT', 'MODIFY'] } as const;

/** The sender's stream: batches read at once (send batches of up to 50 recipients), and its events. */
export const SENDER_STREAM = {
  batchSize: 10,
  // New send batches, and those the sweep touched to bring them back.
  eventNames: ['INSERT', 'MODIFY'],
} as const;
