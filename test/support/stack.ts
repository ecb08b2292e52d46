import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import {
  LOCAL_DEFAULTS,
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from '../../infra/local/stack';
import { importFixtureCatalog } from './fixture-page';

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
  await importFixtureCatalog(stack.apiUrl);
  return stack;
}

/** The admin API of a stack, as the bootstrap key: status and parsed body. */
export async function adminCall(stack: LocalStack, method: string, path: string, body?: unknown) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: adminHeaders,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** A subscriber as the admin API shows it, found by its exact address. */
export async function subscriberByEmail(stack: LocalStack, email: string) {
  const { body } = await adminCall(stack, 'GET', `/v1/admin/subscribers?email=${encodeURIComponent(email)}`);
  return (
    body.items as Array<{
      id: string;
      email: string;
      status: string;
      level: string;
      topics: Array<{ key: string }>;
      timeZone?: string;
    }>
  ).find((s) => s.email === email);
}
