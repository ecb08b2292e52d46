import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import {
  LOCAL_DEFAULTS,
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from '../../infra/local/stack';
import { PAGE_ID } from '../fixtures/seeds';

/** The admin API's bootstrap key, as JSON requests send it. */
export const adminHeaders = {
  authorization: `Bearer ${LOCAL_DEFAULTS.ADMIN_API_KEY}`,
  'content-type': 'application/json',
};

/**
 * The local stack of one suite, on the run's shared DynamoDB Local and SES emulator, with tables of its
 * own and the fixture page's components imported.
 */
export async function startTestStack(
  label: string,
  options: Partial<LocalStackOptions> = {},
): Promise<LocalStack> {
  const stack = await startLocalStack({
    apiPort: 0,
    dynamodb: { endpoint: inject('dynamodbEndpoint') },
    ses: { endpoint: inject('sesEndpoint') },
    tablePrefix: `${label}${randomUUID().slice(0, 8)}-`,
    ...options,
  });
  const imported = await fetch(`${stack.apiUrl}/v1/admin/pages/${PAGE_ID}/components`, {
    method: 'PUT',
    headers: adminHeaders,
    body: readFileSync(new URL('../fixtures/components.json', import.meta.url), 'utf8'),
  });
  if (!imported.ok) throw new Error(`importing the fixture catalog failed: ${imported.status}`);
  return stack;
}
