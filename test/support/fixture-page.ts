import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_REGION, localCredentials } from '../../infra/local/aws-local';
import { LOCAL_DEFAULTS } from '../../infra/local/stack';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import componentsJson from '../fixtures/components.json';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID } from '../fixtures/seeds';

/** Imports the fixture page's components (two regions, the chat components) through the admin API. */
export async function importFixtureCatalog(apiUrl: string): Promise<void> {
  const imported = await fetch(`${apiUrl}/v1/admin/pages/${PAGE_ID}/components`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${LOCAL_DEFAULTS.ADMIN_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(componentsJson),
  });
  if (!imported.ok) throw new Error(`importing the fixture catalog failed: ${imported.status}`);
}

/** A client straight to a DynamoDB Local, for seeding: past any proxy that counts the functions' requests. */
export function seedingClient(endpoint: string): DynamoDBDocumentClient {
  return createDocumentClient(
    new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: localCredentials }),
  );
}

/** Posts the seed incident's first update as Statuspage would; resolves once the webhook answered 2xx. */
export async function postSeedUpdate(apiUrl: string): Promise<void> {
  const response = await fetch(`${apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(incidentWebhook(chatMessagesMayFail, 1)),
  });
  if (!response.ok) throw new Error(`the webhook was answered ${response.status}`);
}
