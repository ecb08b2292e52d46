/**
 * The key schema of every table, as plain data: the CDK data stack and the local stack both build their
 * tables from these, so the deployed and the local tables cannot differ.
 */
export interface TableDefinition {
  /** Logical name: the CDK construct id and the local table name's suffix. */
  name: 'Subscribers' | 'Incidents' | 'Deliveries' | 'Catalog';
  partitionKey: string;
  sortKey: string;
  stream?: 'NEW_IMAGE';
  timeToLiveAttribute?: string;
  indexes: Array<{ name: string; partitionKey: string; sortKey?: string; include?: string[] }>;
}

export const SUBSCRIBERS_BY_TOPIC = 'byTopic';
/** The incident API's listing: a page's incidents, newest first. */
export const INCIDENTS_BY_PAGE = 'byPage';
/** The feeds' read: a page's notified updates, newest first. */
export const UPDATES_BY_PAGE = 'updatesByPage';
/** Support's address searches: by domain and by the start of an address (see DynamoSubscribers.search). */
export const SUBSCRIBERS_BY_ADDRESS = 'byAddress';
/** Sparse: endpoint deliveries waiting for their next try, by when it is due (the sweep's read). */
export const DELIVERIES_BY_RETRY = 'byRetry';

export const tables = {
  subscribers: {
    name: 'Subscribers',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [
      // The audience query: one per affected topic; projects what the fan-out writes into a delivery.
      {
        name: SUBSCRIBERS_BY_TOPIC,
        partitionKey: 'topic',
        sortKey: 'pk',
        include: ['email', 'status', 'level'],
      },
      // Sparse, for support's address searches: a profile is filed under its domain and its address item
      // under its first characters (`addressKey`), both in address order; projects what searches filter on.
      // One index for both: CloudFormation adds a single index to an existing table per deploy.
      {
        name: SUBSCRIBERS_BY_ADDRESS,
        partitionKey: 'addressKey',
        sortKey: 'email',
        include: ['subscriberId', 'status', 'pageIds', 'groupIds', 'componentIds'],
      },
    ],
    // Pending subscribers and rate-limit windows expire.
    timeToLiveAttribute: 'expiresAt',
  },
  incidents: {
    name: 'Incidents',
    partitionKey: 'pk',
    sortKey: 'sk',
    stream: 'NEW_IMAGE',
    // Maintenances filed for their reminders expire a day after the window starts; incidents never do.
    timeToLiveAttribute: 'expiresAt',
    indexes: [
      // Sparse: only updates fanned out whose deliveries are not all seen through, for the sweep.
      {
        name: 'unsettled',
        partitionKey: 'unsettled',
        sortKey: 'fanoutCompletedAt',
        include: [
          'incidentId',
          'updateId',
          'audienceSize',
          'batchCount',
          'sentCount',
          'failedCount',
          'skippedCount',
          'lastSendAt',
        ],
      },
      // Sparse: only incidents (their META item has the page id; updates do not). Everything of the
      // incident but its postmortem, which may be large.
      {
        name: INCIDENTS_BY_PAGE,
        partitionKey: 'pageId',
        sortKey: 'createdAt',
        include: [
          'incidentId',
          'source',
          'upstreamId',
          'name',
          'status',
          'impact',
          'shortlink',
          'componentIds',
          'subject',
          'updatedAt',
          'scheduledFor',
          'scheduledUntil',
          'remindPrior',
        ],
      },
      // Sparse: only updates a feed shows (notified, not the notifier's own reminders), by page and time,
      // so that a feed reads its newest few and never a page's whole history.
      {
        name: UPDATES_BY_PAGE,
        partitionKey: 'feedPage',
        sortKey: 'feedAt',
        include: ['incidentId', 'updateId', 'feedComponents'],
      },
    ],
  },
  deliveries: {
    name: 'Deliveries',
    partitionKey: 'pk',
    sortKey: 'sk',
    stream: 'NEW_IMAGE',
    timeToLiveAttribute: 'expiresAt',
    indexes: [
      {
        name: DELIVERIES_BY_RETRY,
        partitionKey: 'retryShard',
        sortKey: 'retryAt',
        include: ['subscriberId', 'incidentId', 'updateId'],
      },
    ],
  },
  catalog: { name: 'Catalog', partitionKey: 'pk', sortKey: 'sk', indexes: [] },
} as const satisfies Record<string, TableDefinition>;
