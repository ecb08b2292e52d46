import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { inject } from 'vitest';
import { LOCAL_REGION, localCredentials } from '../../infra/local/aws-local';
import { createTables } from '../../infra/local/tables';
import { DynamoRateLimiter } from '../../shared/adapters/dynamo/admin-records';
import { DynamoCatalog } from '../../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoDeliveries } from '../../shared/adapters/dynamo/deliveries';
import { DynamoIncidents } from '../../shared/adapters/dynamo/incidents';
import { DynamoSendBatches } from '../../shared/adapters/dynamo/send-batches';
import { DynamoSendPause } from '../../shared/adapters/dynamo/send-pause';
import { DynamoSubscriberChanges } from '../../shared/adapters/dynamo/subscriber-changes';
import { DynamoSubscribers } from '../../shared/adapters/dynamo/subscribers';
import { DynamoSuppressions } from '../../shared/adapters/dynamo/suppressions';
import { cachedSuppressionList } from '../../shared/adapters/read-cache';
import { domainOf, incidentRootId } from '../../shared/domain/threading';

/** Fresh tables of this suite's own in the shared DynamoDB Local, named with a unique prefix. */
export async function freshTables() {
  const client = new DynamoDBClient({
    endpoint: inject('dynamodbEndpoint'),
    region: LOCAL_REGION,
    credentials: localCredentials,
  });
  const tables = await createTables(client, `t${randomUUID().slice(0, 8)}-`);
  return { client, db: createDocumentClient(client), tables };
}

export function sesClient() {
  return new SESv2Client({
    endpoint: inject('sesEndpoint'),
    region: LOCAL_REGION,
    credentials: localCredentials,
  });
}

export interface StoredMail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html: string; text: string };
  headers?: Array<{ name: string; value: string }>;
}

/** Mail the SES emulator accepted, sent to one of `addresses` (suites share the emulator, not addresses). */
export async function mailTo(addresses: readonly string[]): Promise<StoredMail[]> {
  const response = await fetch(`${inject('sesEndpoint')}/store`);
  const { emails } = (await response.json()) as { emails: StoredMail[] };
  const wanted = new Set(addresses);
  return emails.filter((mail) => mail.destination.to.some((to) => wanted.has(to)));
}

/** The MIME source of a mail the emulator accepted, as a mail client receives it. */
export async function mimeSource(mail: Pick<StoredMail, 'messageId'>): Promise<Buffer> {
  // The emulator answers the MIME source as a serialized Buffer.
  const response = await fetch(`${inject('sesEndpoint')}/get-emlContent?messageId=${mail.messageId}`);
  const { body } = (await response.json()) as { body: { data: number[] } };
  return Buffer.from(body.data);
}

export function header(mail: StoredMail, name: string): string | undefined {
  return mail.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
}

/** Whether a notification is about an incident (a qualified id): its References start at the incident's root. */
export function isAbout(
  mail: StoredMail,
  incidentId: string,
  mailFrom = 'status@notifier.example.com',
): boolean {
  return header(mail, 'References')?.startsWith(incidentRootId(incidentId, domainOf(mailFrom))) ?? false;
}

export const uniqueEmail = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.com`;

/** Every store, over fresh tables of this suite's own. */
export async function freshStores() {
  const { client, db, tables } = await freshTables();
  const suppressions = new DynamoSuppressions(db, tables.subscribers);
  return {
    client,
    db,
    tables,
    incidents: new DynamoIncidents(db, tables.incidents),
    catalog: new DynamoCatalog(db, tables.catalog),
    subscribers: new DynamoSubscribers(db, tables.subscribers),
    deliveries: new DynamoDeliveries(db, tables.deliveries),
    sendBatches: new DynamoSendBatches(db, tables.deliveries),
    suppressions,
    // Read afresh each time: a test adds suppressions and sends at once, as no sender's cache would.
    suppressionList: cachedSuppressionList(suppressions, { ttlMs: 0, max: 1_000 }),
    changes: new DynamoSubscriberChanges(db, tables.subscribers),
    rateLimiter: new DynamoRateLimiter(db, tables.subscribers),
    sendPause: new DynamoSendPause(db, tables.subscribers),
  };
}
