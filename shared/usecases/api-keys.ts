import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { secretsEqual } from '../domain/secrets-equal';
import { AppError } from '../errors';
import type { ApiKey, ApiKeyScope, ApiKeys, Clock } from '../ports';

export interface Actor {
  /** `bootstrap` for the deployment's own key, else the API key's id. */
  id: string;
  scopes: ApiKeyScope[];
}

export const CreateApiKeyInput = z.object({
  name: z.string().min(1).max(100),
  scopes: z
    .array(z.enum(['read', 'write']))
    .min(1)
    .default(['read']),
});

const KEY_PATTERN = /^snk_([0-9a-f]{12})_([0-9a-f]{64})$/;
const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

/**
 * Keys are managed with the bootstrap key only: a write key minting or revoking keys would let any
 * support key escalate or lock the others out.
 */
export function assertMayManageKeys(actor: Actor) {
  if (actor.id !== 'bootstrap') {
    throw new AppError('FORBIDDEN', 'API keys are managed with the bootstrap key only', [
      { path: 'authorization', message: 'not the bootstrap key' },
    ]);
  }
}

/** A new admin API key; the key itself is returned once and only its hash is kept. */
export async function createApiKey(
  deps: { apiKeys: ApiKeys; clock: Clock },
  input: z.output<typeof CreateApiKeyInput>,
  actor: Actor,
) {
  assertMayManageKeys(actor);
  const keyId = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('hex');
  const key: ApiKey = {
    keyId,
    name: input.name,
    scopes: [...new Set(input.scopes)],
    secretHash: hash(secret),
    createdAt: deps.clock.now().toISOString(),
    createdBy: actor.id,
  };
  await deps.apiKeys.put(key);
  return { ...withoutHash(key), key: `snk_${keyId}_${secret}` };
}

export async function listApiKeys(deps: { apiKeys: ApiKeys }, actor: Actor) {
  assertMayManageKeys(actor);
  return { items: (await deps.apiKeys.list()).map(withoutHash) };
}

export async function revokeApiKey(deps: { apiKeys: ApiKeys; clock: Clock }, keyId: string, actor: Actor) {
  assertMayManageKeys(actor);
  if (!(await deps.apiKeys.revoke(keyId, deps.clock.now().toISOString()))) {
    throw new AppError('NOT_FOUND', `no API key ${keyId}`);
  }
  return { keyId, revoked: true };
}

/** Who a bearer token belongs to: the bootstrap key (every scope) or a live API key. */
export async function authenticate(
  deps: { apiKeys: ApiKeys },
  token: string,
  bootstrapKey: string,
): Promise<Actor | undefined> {
  if (secretsEqual(token, bootstrapKey)) return { id: 'bootstrap', scopes: ['read', 'write'] };
  const match = KEY_PATTERN.exec(token);
  if (!match) return undefined;
  const [, keyId = '', secret = ''] = match;
  const key = await deps.apiKeys.get(keyId);
  if (!key || key.revokedAt || !secretsEqual(hash(secret), key.secretHash)) return undefined;
  return { id: keyId, scopes: key.scopes };
}

function withoutHash({ secretHash: _, ...key }: ApiKey) {
  return key;
}
